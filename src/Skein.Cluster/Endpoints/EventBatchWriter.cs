using Google.Protobuf;
using Grpc.Core;
using Skein.Cluster.Events;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Endpoints;

/// <summary>
/// Moves bus events onto a subscriber's gRPC stream in batches: whatever is buffered when the
/// previous write completes goes out as one message, so a busy stream sends few large messages and
/// a quiet one sends each event at once.
/// </summary>
internal static class EventBatchWriter
{
    // Bounds one message well below gRPC's default 4 MB receive limit, and the latency of a batch.
    public const int MaxEvents = 4096;
    public const int MaxBytes = 1 << 20;

    public static async Task ForwardAsync(EventSubscription subscription, IServerStreamWriter<EventBatch> stream, CancellationToken ct)
    {
        var batch = new EventBatch();
        while (await subscription.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            var bytes = 0;
            while (batch.Events.Count < MaxEvents && bytes < MaxBytes && subscription.TryRead(out var evt))
            {
                batch.Events.Add(ToWire(evt));
                bytes += evt.Payload.Length + evt.Subject.Length;
            }
            if (batch.Events.Count == 0) continue;
            batch.Dropped = subscription.Dropped;
            await stream.WriteAsync(batch, ct).ConfigureAwait(false);
            // The message is serialized by the time the write completes, so the batch can be refilled.
            batch.Events.Clear();
        }
    }

    public static async Task WriteAllAsync(IReadOnlyList<BusEvent> events, IServerStreamWriter<EventBatch> stream, CancellationToken ct)
    {
        var batch = new EventBatch();
        var bytes = 0;
        foreach (var evt in events)
        {
            batch.Events.Add(ToWire(evt));
            bytes += evt.Payload.Length + evt.Subject.Length;
            if (batch.Events.Count < MaxEvents && bytes < MaxBytes) continue;
            await stream.WriteAsync(batch, ct).ConfigureAwait(false);
            batch.Events.Clear();
            bytes = 0;
        }
        if (batch.Events.Count > 0) await stream.WriteAsync(batch, ct).ConfigureAwait(false);
    }

    private static Event ToWire(BusEvent evt)
    {
        if (evt.Wire is Event cached) return cached;
        var wire = NewWire(evt);
        // A race between two subscribers only makes one extra copy; either is correct.
        evt.Wire = wire;
        return wire;
    }

    private static Event NewWire(BusEvent evt) => new()
    {
        Subject = evt.Subject,
        // No copy: bus payloads are never modified once published.
        Payload = UnsafeByteOperations.UnsafeWrap(evt.Payload),
        // Empty means JSON on the wire, which saves the bytes on the most common kind.
        ContentType = evt.ContentType == EventContentTypes.Json ? "" : evt.ContentType,
        Sequence = evt.Sequence,
        TimeUnixNano = EventTime.ToUnixNanoseconds(evt.PublishedAt),
    };
}
