using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Sources;

namespace Skein.Engine;

/// <summary>
/// A run's events, in order, for its one reader. Writers append under the run's lock, which a finishing task holds
/// already; the reader takes everything written so far in one swap instead of one synchronised read per event.
/// </summary>
/// <remarks>
/// Waking a parked reader queues its continuation to the thread pool and may wake a thread, which costs more than
/// running a no-op task. So wakes are batched: <see cref="Write"/> only counts events the parked reader has not been
/// woken for, and <see cref="Flush"/>, called once the writer holds no scheduler lock, wakes the reader when enough
/// have gathered, when the writer is about to go idle (force), or at the latest <see cref="MaxWakeDelay"/> after the
/// first of them. Events are therefore never held back longer than that, whatever the tasks do.
/// </remarks>
internal sealed class RunEventStream : IValueTaskSource<bool>
{
    /// <summary>Events that wake a parked reader at once, without waiting for the timer.</summary>
    private const int WakeBatch = 64;

    /// <summary>The longest an event waits for its reader to be woken.</summary>
    public static readonly TimeSpan MaxWakeDelay = TimeSpan.FromMilliseconds(1);

    private readonly Lock _lock;
    private List<RunEvent> _pending = [];
    private List<RunEvent>? _spare = [];
    private ManualResetValueTaskSourceCore<bool> _waiter = new() { RunContinuationsAsynchronously = true };
    private bool _readerParked;
    private int _unwoken;
    private volatile bool _wakeDue;
    private ITimer? _wakeTimer;
    private bool _wakeTimerArmed;
    private bool _completed;
    private Exception? _error;
    private int _reading;

    /// <param name="sharedLock">
    /// The lock that guards the stream: the run's own, so that writing an event while it is held (as every finished
    /// task does) re-enters it instead of taking a second lock.
    /// </param>
    public RunEventStream(Lock sharedLock) => _lock = sharedLock;

    /// <summary>Appends an event; the caller must <see cref="Flush"/> once it holds no scheduler lock.</summary>
    /// <returns>False when the stream has already completed and the event was dropped.</returns>
    public bool Write(RunEvent runEvent)
    {
        lock (_lock)
        {
            if (_completed) return false;
            _pending.Add(runEvent);
            if (_readerParked)
            {
                _unwoken++;
                _wakeDue = true;
            }
            return true;
        }
    }

    /// <summary>Appends an event and flushes. Not for use under the scheduler's lock.</summary>
    public void WriteAndFlush(RunEvent runEvent)
    {
        if (Write(runEvent)) Flush();
    }

    /// <summary>Wakes the parked reader for the events written since it parked, now or soon. Cheap when there is nothing to do.</summary>
    /// <param name="force">Wake now, however few events wait: the writer has nothing else to do and would otherwise leave them waiting.</param>
    public void Flush(bool force = false)
    {
        // Whoever set the flag flushes after writing, so reading a stale false here only defers to that writer.
        if (!_wakeDue) return;
        lock (_lock)
        {
            if (!_wakeDue || !_readerParked) return;
            if (!force && _unwoken < WakeBatch)
            {
                if (!_wakeTimerArmed)
                {
                    // The real clock on purpose: this bounds delivery latency, it is not time the run's tasks observe.
                    _wakeTimer ??= TimeProvider.System.CreateTimer(static state => ((RunEventStream)state!).OnWakeTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    _wakeTimer.Change(MaxWakeDelay, Timeout.InfiniteTimeSpan);
                    _wakeTimerArmed = true;
                }
                return;
            }
            UnparkLocked();
        }
        _waiter.SetResult(true);
    }

    private void OnWakeTimer()
    {
        lock (_lock) _wakeTimerArmed = false;
        Flush(force: true);
    }

    private void UnparkLocked()
    {
        _readerParked = false;
        _wakeDue = false;
        _unwoken = 0;
    }

    /// <summary>Ends the stream: the reader gets what was written, then the end (or <paramref name="error"/>, thrown).</summary>
    public bool Complete(Exception? error = null)
    {
        lock (_lock)
        {
            if (_completed) return false;
            _completed = true;
            _error = error;
            _wakeTimer?.Dispose();
            if (!_readerParked) return true;
            UnparkLocked();
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
            UnparkLocked();
        }
        _waiter.SetException(new OperationCanceledException(token));
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);
}
