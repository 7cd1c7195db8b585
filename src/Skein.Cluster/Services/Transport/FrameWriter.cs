using System.Collections.Concurrent;
using Grpc.Core;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Services.Transport;

/// <summary>
/// The one writer of a call stream. Senders enqueue; whoever finds the stream idle becomes the writer and sends
/// every envelope ready at that moment as one <see cref="Frame"/>, until the queue is empty. Concurrent calls share
/// HTTP/2 writes, frames never interleave, and a lone caller writes on its own thread without waking another.
/// </summary>
internal sealed class FrameWriter : IEnvelopeSink
{
    private const int MaxEnvelopesPerFrame = 512;
    private const int MaxBytesPerFrame = 256 * 1024;

    private readonly ConcurrentQueue<Envelope> _queue = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IAsyncStreamWriter<Frame>? _stream;
    private CancellationToken _cancellation;
    private int _writing;
    private volatile bool _completed;

    public void Send(Envelope envelope)
    {
        if (_completed) return;
        _queue.Enqueue(envelope);
        TryStartWriting();
    }

    /// <summary>Stops taking envelopes; what is queued is still written.</summary>
    public void Complete()
    {
        _completed = true;
        TryStartWriting();
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
                }
                Volatile.Write(ref _writing, 0);
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
            _done.TrySetException(ex);
        }
    }
}
