namespace Skein.Engine.Tests.Support;

/// <summary>Completes once a number of arrivals have happened: proves that many tasks were inside at the same time.</summary>
internal sealed class Rendezvous(int expected)
{
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;

    public Task All => _all.Task;

    public Task ArriveAndWaitAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _arrived) == expected) _all.TrySetResult();
        return _all.Task.WaitAsync(Runs.Patience, cancellationToken);
    }
}
