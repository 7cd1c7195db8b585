using Skein.Modules.Lifecycle;

namespace Skein.Cluster.Services.Hosting;

/// <summary>
/// The door to the services of one supervised module hosted in this process: a call goes through only while the module
/// is active, and is counted while it runs, so that unloading can let the calls already running finish before the
/// module's code goes away.
/// </summary>
/// <remarks>
/// A call counts itself in before it looks at the module, and a stop marks the module unavailable before it looks at
/// the count: so either the call sees the stop and stays out, or the stop sees the call and waits for it.
/// </remarks>
internal sealed class ModuleGate(ModuleSupervisor supervisor)
{
    private int _calls;
    private TaskCompletionSource? _idle;
    private CancellationTokenSource _run = new();
    private string _runEnd = "";

    public ModuleSupervisor Supervisor { get; } = supervisor;

    /// <summary>Counts a call in when the module is active; false (and not counted) when it is not.</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _calls);
        if (Supervisor.IsServing) return true;
        Exit();
        return false;
    }

    /// <summary>A call counted in by <see cref="TryEnter"/> is over.</summary>
    public void Exit()
    {
        if (Interlocked.Decrement(ref _calls) == 0 && Volatile.Read(ref _idle) is { } idle) idle.TrySetResult();
    }

    /// <summary>
    /// Cancelled when the module's current run crashes: the calls it was serving then fail at once, as calls to a module
    /// process that dies do, instead of waiting for code whose run is over. Each run has its own.
    /// </summary>
    public CancellationToken RunCrashed => Volatile.Read(ref _run).Token;

    /// <summary>How the last crashed run ended, for the error of the calls it was serving.</summary>
    public string CrashReason => Volatile.Read(ref _runEnd);

    /// <summary>The module's run crashed (<paramref name="reason"/>): fail the calls it was serving; the next run gets a fresh token.</summary>
    public void RunEnded(string reason)
    {
        Volatile.Write(ref _runEnd, reason);
        var ended = Interlocked.Exchange(ref _run, new CancellationTokenSource());
        ended.Cancel();
        ended.Dispose();
    }

    /// <summary>Completes once no call is running; meant for after the module stopped taking new ones.</summary>
    public Task WhenIdleAsync()
    {
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _idle, idle);
        if (Volatile.Read(ref _calls) == 0) idle.TrySetResult();
        return idle.Task;
    }
}
