namespace Skein.Cluster.Services.Hosting;

/// <summary>
/// The flow control of one streaming call on a node: item <c>n</c> may be sent once the caller has consumed
/// <c>n - window</c> items. The caller's CREDIT envelopes raise what it has consumed; a producer that is ahead waits.
/// </summary>
internal sealed class StreamCredit(uint window)
{
    private readonly Lock _gate = new();
    private ulong _consumed;
    private TaskCompletionSource? _granted;

    public uint Window { get; } = window;

    /// <summary>The caller has consumed the items up to <paramref name="consumed"/> (a running total; lower values are old news).</summary>
    public void Grant(ulong consumed)
    {
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            if (consumed <= _consumed) return;
            _consumed = consumed;
            waiting = _granted;
            _granted = null;
        }
        waiting?.TrySetResult();
    }

    /// <summary>Completes when item <paramref name="sequence"/> may be sent.</summary>
    public ValueTask WaitToSendAsync(ulong sequence, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (sequence <= _consumed + Window) return default;
        }
        return WaitAsync(sequence, cancellationToken);
    }

    private async ValueTask WaitAsync(ulong sequence, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task granted;
            lock (_gate)
            {
                if (sequence <= _consumed + Window) return;
                granted = (_granted ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
            await granted.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
