using System.Threading.Channels;
using Grpc.Core;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Services.Transport;

/// <summary>
/// The one writer of a call stream. Senders only enqueue; this loop takes every envelope ready at that moment into
/// one <see cref="Frame"/>, so concurrent calls share HTTP/2 writes and frames never interleave.
/// </summary>
internal sealed class FrameWriter : IEnvelopeSink
{
    private const int MaxEnvelopesPerFrame = 512;
    private const int MaxBytesPerFrame = 256 * 1024;

    private readonly Channel<Envelope> _queue = Channel.CreateUnbounded<Envelope>(new UnboundedChannelOptions
    {
        SingleReader = true,
        AllowSynchronousContinuations = false,
    });

    public void Send(Envelope envelope) => _queue.Writer.TryWrite(envelope);

    /// <summary>Stops taking envelopes; what is queued is still written.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>Writes until <see cref="Complete"/> and the queue is drained, or the stream fails.</summary>
    public async Task RunAsync(IAsyncStreamWriter<Frame> stream, CancellationToken cancellationToken)
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // A new frame each time: the transport may still hold the previous one while it serialises.
            var frame = new Frame();
            var bytes = 0;
            // A payload near the limit goes in a frame of its own: batched behind others it would push the frame past
            // what the transport accepts, and the peer would drop the whole stream with every call on it.
            while (frame.Envelopes.Count < MaxEnvelopesPerFrame && reader.TryPeek(out var next))
            {
                if (frame.Envelopes.Count > 0 && bytes + next.Payload.Length > MaxBytesPerFrame) break;
                reader.TryRead(out var envelope); // the single reader: the envelope just peeked
                frame.Envelopes.Add(envelope!);
                bytes += envelope!.Payload.Length;
            }
            await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
    }
}
