namespace Skein.Cluster.Internal;

/// <summary>
/// Tells waiters that something changed, without polling: take <see cref="Next"/>, check your condition, and await it
/// if the condition does not hold yet; whoever changes the state calls <see cref="Signal"/> after the change.
/// </summary>
internal sealed class ChangeSignal
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _next = New();

    /// <summary>Completes at the next <see cref="Signal"/>.</summary>
    public Task Next
    {
        get
        {
            lock (_lock) return _next.Task;
        }
    }

    public void Signal()
    {
        TaskCompletionSource previous;
        lock (_lock)
        {
            previous = _next;
            _next = New();
        }
        previous.TrySetResult();
    }

    // Waiters continue on the thread pool, never inside the signaller's lock or call.
    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
