using System.Threading.Channels;

namespace Skein.Cluster.Tests.Modules.Lifecycle;

/// <summary>Collects notifications raised on the supervisor's thread so a test can await them in order.</summary>
internal sealed class Recorder<T>
{
    private static readonly TimeSpan Timeout = TestPatience.Ceiling;
    private readonly Channel<T> _items = Channel.CreateUnbounded<T>();
    private readonly Lock _lock = new();
    private readonly List<T> _all = [];

    public IReadOnlyList<T> All
    {
        get { lock (_lock) return [.. _all]; }
    }

    public void Add(object? sender, T item)
    {
        lock (_lock) _all.Add(item);
        _items.Writer.TryWrite(item);
    }

    /// <summary>The next item that matches, skipping the others; fails the test after a real-time timeout rather than hang.</summary>
    public async Task<T> NextAsync(Func<T, bool>? match = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Timeout);
        while (true)
        {
            var item = await _items.Reader.ReadAsync(cts.Token);
            if (match is null || match(item)) return item;
        }
    }
}
