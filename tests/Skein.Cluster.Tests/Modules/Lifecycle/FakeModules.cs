namespace Skein.Cluster.Tests.Modules.Lifecycle;

/// <summary>The supervisor's factory in tests: hands out <see cref="FakeModule"/> runs and remembers them.</summary>
internal sealed class FakeModules(Func<int, FakeModule>? make = null)
{
    private readonly Lock _lock = new();
    private readonly List<FakeModule> _runs = [];
    private readonly Func<int, FakeModule> _make = make ?? (_ => new FakeModule());
    private readonly TaskCompletionSource<FakeModule> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The first run, once the supervisor has asked for it (it may report a state before it does).</summary>
    public Task<FakeModule> First => _first.Task;

    public int Count
    {
        get { lock (_lock) return _runs.Count; }
    }

    public FakeModule Latest
    {
        get { lock (_lock) return _runs[^1]; }
    }

    public FakeModule this[int index]
    {
        get { lock (_lock) return _runs[index]; }
    }

    public FakeModule Create()
    {
        lock (_lock)
        {
            var run = _make(_runs.Count);
            _runs.Add(run);
            _first.TrySetResult(run);
            return run;
        }
    }
}
