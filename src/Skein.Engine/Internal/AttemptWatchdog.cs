namespace Skein.Engine;

/// <summary>
/// Enforces one attempt's timeout: cancels the attempt's token when it expires, and gives a task that ignores
/// its token a grace period before the attempt is abandoned. Timers come from the run's TimeProvider.
/// </summary>
internal sealed class AttemptWatchdog : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly ITimer _timeoutTimer;
    private readonly TimeSpan _abandonGrace;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _abandon = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _graceTimer;
    private volatile bool _timedOut;

    public AttemptWatchdog(TimeSpan timeout, TimeSpan abandonGrace, TimeProvider time, CancellationToken runToken)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(runToken);
        _abandonGrace = abandonGrace;
        _time = time;
        _timeoutTimer = time.CreateTimer(static state => ((AttemptWatchdog)state!).OnTimeout(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    public CancellationToken Token => _cts.Token;
    public bool TimedOut => _timedOut;

    /// <summary>Completes when the attempt has outlived its timeout plus the grace.</summary>
    public Task Expired => _abandon.Task;

    private void OnTimeout()
    {
        _timedOut = true;
        _graceTimer = _time.CreateTimer(static state => ((AttemptWatchdog)state!)._abandon.TrySetResult(), this, _abandonGrace, Timeout.InfiniteTimeSpan);
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The attempt finished at the same moment; nothing left to stop.
        }
    }

    public void Dispose()
    {
        _timeoutTimer.Dispose();
        _graceTimer?.Dispose();
        _cts.Dispose();
    }
}
