using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Sources;

namespace Skein.Engine.Internal;

/// <summary>
/// A run's events, in order, for its one reader. Writers append under a short lock of its own; the reader takes
/// everything written so far in one swap instead of one synchronised read per event.
/// </summary>
/// <remarks>
/// Waking a parked reader queues its continuation to the thread pool, which may wake a thread: too slow to do while
/// the scheduler's lock is held. So <see cref="Write"/> only notes that a wake is due, and whoever wrote calls
/// <see cref="Flush"/> once it holds no scheduler lock. Events written while the reader is busy need no wake at all;
/// the reader finds them when it comes back for more.
/// </remarks>
internal sealed class RunEventStream : IValueTaskSource<bool>
{
    private readonly Lock _lock = new();
    private List<RunEvent> _pending = [];
    private List<RunEvent>? _spare = [];
    private ManualResetValueTaskSourceCore<bool> _waiter = new() { RunContinuationsAsynchronously = true };
    private bool _readerParked;
    private volatile bool _wakeDue;
    private bool _completed;
    private Exception? _error;
    private int _reading;

    /// <summary>Appends an event; the caller must <see cref="Flush"/> once it holds no scheduler lock.</summary>
    /// <returns>False when the stream has already completed and the event was dropped.</returns>
    public bool Write(RunEvent runEvent)
    {
        lock (_lock)
        {
            if (_completed) return false;
            _pending.Add(runEvent);
            if (_readerParked) _wakeDue = true;
            return true;
        }
    }

    /// <summary>Appends an event and wakes the reader if it waits for one. Not for use under the scheduler's lock.</summary>
    public void WriteAndFlush(RunEvent runEvent)
    {
        if (Write(runEvent)) Flush();
    }

    /// <summary>Wakes the reader when events arrived while it was parked. Cheap when there is nothing to do.</summary>
    public void Flush()
    {
        // Whoever set the flag flushes after writing, so reading a stale false here only defers to that writer.
        if (!_wakeDue) return;
        lock (_lock)
        {
            if (!_wakeDue || !_readerParked) return;
            _wakeDue = false;
            _readerParked = false;
        }
        _waiter.SetResult(true);
    }

    /// <summary>Ends the stream: the reader gets what was written, then the end (or <paramref name="error"/>, thrown).</summary>
    public bool Complete(Exception? error = null)
    {
        lock (_lock)
        {
            if (_completed) return false;
            _completed = true;
            _error = error;
            if (!_readerParked) return true;
            _readerParked = false;
            _wakeDue = false;
        }
        _waiter.SetResult(true);
        return true;
    }

    /// <summary>
    /// Reads the events until the stream completes. Read by one reader at a time; a reader that stops early leaves
    /// what it did not read for the next one.
    /// </summary>
    public async IAsyncEnumerable<RunEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _reading, 1) != 0)
            throw new InvalidOperationException("A run's events have one reader, and they are being read already.");
        List<RunEvent>? batch = null;
        var next = 0;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Exception? error = null;
                var park = false;
                lock (_lock)
                {
                    if (_pending.Count > 0)
                    {
                        batch = _pending;
                        _pending = _spare ?? [];
                        _spare = null;
                    }
                    else if (_completed)
                    {
                        error = _error;
                    }
                    else
                    {
                        _waiter.Reset();
                        _readerParked = true;
                        park = true;
                    }
                }

                if (park)
                {
                    await WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (batch is null)
                {
                    if (error is not null) ExceptionDispatchInfo.Throw(error);
                    yield break;
                }
                for (next = 0; next < batch.Count;) yield return batch[next++];
                batch.Clear();
                _spare = batch;
                batch = null;
            }
        }
        finally
        {
            if (batch is { } unread && next < unread.Count)
            {
                lock (_lock) _pending.InsertRange(0, unread.GetRange(next, unread.Count - next));
            }
            Volatile.Write(ref _reading, 0);
        }
    }

    private async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            await new ValueTask<bool>(this, _waiter.Version).ConfigureAwait(false);
            return;
        }
        var registration = cancellationToken.UnsafeRegister(static (state, token) => ((RunEventStream)state!).CancelWait(token), this);
        try
        {
            await new ValueTask<bool>(this, _waiter.Version).ConfigureAwait(false);
        }
        finally
        {
            // Waits for a cancellation callback that is running, so the next Reset cannot race it.
            await registration.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void CancelWait(CancellationToken token)
    {
        lock (_lock)
        {
            if (!_readerParked) return;
            _readerParked = false;
            _wakeDue = false;
        }
        _waiter.SetException(new OperationCanceledException(token));
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);
}
