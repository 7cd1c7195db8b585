using System.Collections.Concurrent;
using Grpc.Core;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Services.Transport;

/// <summary>
/// The one writer of a call stream. Senders enqueue; whoever finds the stream idle becomes the writer and sends
/// every envelope ready at that moment as one <see cref="Frame"/>, until the queue is empty. Concurrent calls share
/// HTTP/2 writes, frames never interleave, and a lone caller writes on its own thread without waking another.
/// A reader that answers a whole frame of requests on its own thread holds the writer (<see cref="Hold"/>) while it
/// does, so the answers ready together leave as one frame instead of one frame (and one flush) each.
/// </summary>
/// <remarks>
/// The queue is bounded (<see cref="SendQueueLimits"/>): <see cref="SendAsync"/> waits, in order of arrival, while it
/// is full, and an envelope counts against the bound until the frame holding it has been written, so what a slow
/// socket leaves behind is at most the bound. <see cref="Send"/> never waits — it is for the small envelopes that let
/// the other side move (cancels, credits, errors of the stream's reader) — but it still queues behind the senders
/// already waiting, so that a cancel never overtakes its own request.
/// </remarks>
internal sealed class FrameWriter : IEnvelopeSink
{
    private const int MaxEnvelopesPerFrame = 512;
    private const int MaxBytesPerFrame = 256 * 1024;

    private readonly ConcurrentQueue<Envelope> _queue = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _maxEnvelopes;
    private readonly long _maxBytes;
    private IAsyncStreamWriter<Frame>? _stream;
    private CancellationToken _cancellation;
    private int _writing;
    private int _held;
    private volatile bool _completed;
    private readonly FrameCounter? _written;

    // Admission: what is in _queue (or carried, or being written) and who waits for room. Guarded by _gate.
    private readonly Lock _gate = new();
    private readonly Queue<Waiter> _waiters = new();
    private int _queuedEnvelopes;
    private long _queuedBytes;
    private long _peakBytes;
    private int _peakEnvelopes;

    /// <param name="written">Counts the frames written (and the envelopes in them); null counts nothing.</param>
    public FrameWriter(SendQueueLimits? limits = null, FrameCounter? written = null)
    {
        _written = written;
        limits ??= new SendQueueLimits();
        _maxEnvelopes = limits.MaxEnvelopes;
        _maxBytes = limits.MaxBytes;
    }

    /// <summary>Bytes queued and not yet written (as <see cref="SendQueueLimits"/> counts them).</summary>
    public long QueuedBytes
    {
        get { lock (_gate) return _queuedBytes; }
    }

    /// <summary>The most bytes ever queued at once.</summary>
    public long PeakQueuedBytes
    {
        get { lock (_gate) return _peakBytes; }
    }

    /// <summary>The most envelopes ever queued at once.</summary>
    public int PeakQueuedEnvelopes
    {
        get { lock (_gate) return _peakEnvelopes; }
    }

    /// <summary>
    /// Keeps envelopes queued from now on from starting a write until <see cref="Release"/>, so that what is sent
    /// meanwhile goes out together. A write already under way goes on (and takes what is queued, as always). The
    /// queue's bound still holds: a sender that finds it full waits, and is let in once the frame is written.
    /// </summary>
    /// <remarks>For the reader of the stream, around the requests of one frame it serves on its own thread: hold it
    /// only for work that does not wait, since nothing queued meanwhile is written before the release.</remarks>
    public void Hold() => Interlocked.Increment(ref _held);

    /// <summary>Ends a <see cref="Hold"/>: what was queued meanwhile is written now (on this thread, if the stream is idle).</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _held) == 0) TryStartWriting();
    }

    /// <summary>Senders waiting for room.</summary>
    public int WaitingSenders
    {
        get { lock (_gate) return _waiters.Count(w => !w.Withdrawn && !w.Forced); }
    }

    /// <summary>Queues <paramref name="envelope"/> without waiting for room (it still counts against the bound).</summary>
    public void Send(Envelope envelope)
    {
        if (_completed) return;
        lock (_gate)
        {
            if (_waiters.Count > 0)
            {
                _waiters.Enqueue(new Waiter(envelope, SendQueueLimits.SizeOf(envelope), forced: true));
                return;
            }
            Admit(envelope, SendQueueLimits.SizeOf(envelope));
        }
        TryStartWriting();
    }

    /// <summary>
    /// Queues <paramref name="envelope"/>, first waiting for room while the queue is full. Once the writer has
    /// stopped, the envelope is dropped and this returns at once, as <see cref="Send"/> does.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled while waiting; the envelope was not queued.</exception>
    public ValueTask SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        if (_completed) return default;
        var size = SendQueueLimits.SizeOf(envelope);
        Waiter waiter;
        lock (_gate)
        {
            if (_waiters.Count == 0 && Fits(size))
            {
                Admit(envelope, size);
                waiter = null!;
            }
            else
            {
                if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
                waiter = new Waiter(envelope, size, forced: false);
                _waiters.Enqueue(waiter);
            }
        }
        if (waiter is null)
        {
            TryStartWriting();
            return default;
        }
        if (cancellationToken.CanBeCanceled) waiter.Watch(this, cancellationToken);
        return new ValueTask(waiter.Task);
    }

    /// <summary>
    /// Takes back an envelope still waiting for room: it will not be sent, and its <see cref="SendAsync"/> completes.
    /// False when it was already queued (or sent).
    /// </summary>
    public bool Withdraw(Envelope envelope)
    {
        Waiter? withdrawn = null;
        lock (_gate)
        {
            foreach (var waiter in _waiters)
            {
                if (!ReferenceEquals(waiter.Envelope, envelope) || waiter.Withdrawn) continue;
                waiter.Withdrawn = true;
                withdrawn = waiter;
                break;
            }
        }
        if (withdrawn is null) return false;
        withdrawn.Release();
        return true;
    }

    private bool Fits(int size) =>
        _queuedEnvelopes == 0 || (_queuedEnvelopes < _maxEnvelopes && _queuedBytes + size <= _maxBytes);

    // Under _gate: enqueueing here keeps the queue in the order senders were admitted.
    private void Admit(Envelope envelope, int size)
    {
        _queuedEnvelopes++;
        _queuedBytes += size;
        if (_queuedBytes > _peakBytes) _peakBytes = _queuedBytes;
        if (_queuedEnvelopes > _peakEnvelopes) _peakEnvelopes = _queuedEnvelopes;
        _queue.Enqueue(envelope);
    }

    // A frame was written: free its room and let in who now fits, in order.
    private void Written(int envelopes, long bytes)
    {
        List<Waiter>? admitted = null;
        lock (_gate)
        {
            _queuedEnvelopes -= envelopes;
            _queuedBytes -= bytes;
            while (_waiters.TryPeek(out var next))
            {
                if (next.Withdrawn)
                {
                    _waiters.Dequeue();
                    continue;
                }
                if (!next.Forced && !Fits(next.Size)) break;
                _waiters.Dequeue();
                Admit(next.Envelope, next.Size);
                next.Admitted = true;
                (admitted ??= []).Add(next);
            }
        }
        if (admitted is null) return;
        foreach (var waiter in admitted) waiter.Release();
    }

    // Under _gate or not: a withdrawn or admitted waiter is never touched again by the admission loop.
    private void Cancel(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (waiter.Admitted || waiter.Withdrawn) return;
            waiter.Withdrawn = true;
        }
        waiter.TrySetCanceled(cancellationToken);
    }

    /// <summary>Stops taking envelopes; what is queued is still written, and who waits for room is let go.</summary>
    public void Complete()
    {
        _completed = true;
        ReleaseWaiters();
        TryStartWriting();
    }

    private void ReleaseWaiters()
    {
        List<Waiter> released;
        lock (_gate)
        {
            if (_waiters.Count == 0) return;
            released = [.. _waiters];
            _waiters.Clear();
            foreach (var waiter in released) waiter.Withdrawn = true;
        }
        foreach (var waiter in released) waiter.Release();
    }

    /// <summary>Writes until <see cref="Complete"/> and the queue is drained, or the stream fails (which it throws).</summary>
    public Task RunAsync(IAsyncStreamWriter<Frame> stream, CancellationToken cancellationToken)
    {
        _cancellation = cancellationToken;
        Volatile.Write(ref _stream, stream);
        TryStartWriting();
        return _done.Task;
    }

    private void TryStartWriting()
    {
        if (Volatile.Read(ref _stream) is null) return;
        // A full fence between queueing and looking at the hold, as Release has between dropping it and looking at the
        // queue: one of the two always sees the other, so an envelope is never left behind a hold that just ended.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _held) > 0 && !_completed) return; // Release starts the writer
        if (Interlocked.CompareExchange(ref _writing, 1, 0) != 0) return; // the writer of the moment will see it
        _ = DrainAsync();
    }

    // The envelope that did not fit the last frame; only the writer of the moment touches it. (Not TryPeek: peeking
    // a ConcurrentQueue stops it reusing its segments, which costs an allocation per segment for good.)
    private Envelope? _carried;

    private Envelope? Next()
    {
        if (_carried is { } carried)
        {
            _carried = null;
            return carried;
        }
        return _queue.TryDequeue(out var envelope) ? envelope : null;
    }

    private async Task DrainAsync()
    {
        try
        {
            while (true)
            {
                while (_carried is not null || !_queue.IsEmpty)
                {
                    // A new frame each time: the transport may still hold the previous one while it serialises.
                    var frame = new Frame();
                    var bytes = 0;
                    while (frame.Envelopes.Count < MaxEnvelopesPerFrame && Next() is { } envelope)
                    {
                        // A payload near the limit goes in a frame of its own: batched behind others it would push the
                        // frame past what the transport accepts, and the peer would drop the stream with every call on it.
                        if (frame.Envelopes.Count > 0 && bytes + envelope.Payload.Length > MaxBytesPerFrame)
                        {
                            _carried = envelope;
                            break;
                        }
                        frame.Envelopes.Add(envelope);
                        bytes += envelope.Payload.Length;
                    }
                    await _stream!.WriteAsync(frame, _cancellation).ConfigureAwait(false);
                    _written?.Add(frame.Envelopes.Count);
                    Written(frame.Envelopes.Count, bytes + (long)frame.Envelopes.Count * SendQueueLimits.EnvelopeOverhead);
                }
                // A full fence (not a plain write): the look at the queue below must not be done before the flag drops.
                Interlocked.Exchange(ref _writing, 0);
                // Someone may have enqueued after the queue looked empty but before the flag dropped: take over again.
                if ((_queue.IsEmpty && _carried is null) || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
                {
                    if (_completed && _queue.IsEmpty && _carried is null) _done.TrySetResult();
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            _completed = true;
            ReleaseWaiters();
            _done.TrySetException(ex);
        }
    }

    /// <summary>One sender waiting for room; completes when its envelope is queued, withdrawn, or dropped.</summary>
    private sealed class Waiter(Envelope envelope, int size, bool forced) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private CancellationTokenRegistration _registration;

        public Envelope Envelope { get; } = envelope;

        public int Size { get; } = size;

        /// <summary>Queued by <see cref="FrameWriter.Send"/>: goes in its turn whatever the room.</summary>
        public bool Forced { get; } = forced;

        // Both under the writer's _gate.
        public bool Admitted { get; set; }

        public bool Withdrawn { get; set; }

        public void Watch(FrameWriter writer, CancellationToken cancellationToken) =>
            _registration = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var (writer, waiter) = ((FrameWriter, Waiter))state!;
                writer.Cancel(waiter, token);
            }, (writer, this));

        public void Release()
        {
            TrySetResult();
            _registration.Dispose();
        }
    }
}
