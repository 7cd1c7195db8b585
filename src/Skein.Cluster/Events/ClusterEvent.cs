using System.Text;
using System.Text.Json;

namespace Skein.Cluster.Events;

/// <summary>An event as a remote subscriber receives it from the coordinator's bus.</summary>
/// <param name="Sequence">Bus-wide and increasing; gaps are events this subscriber did not match or missed.</param>
/// <param name="PublishedAt">When the coordinator published it (UTC).</param>
/// <param name="Dropped">
/// Events this subscription had missed, in total, when this one arrived because its buffer on the
/// coordinator was full; it grows when the subscriber reads more slowly than events are published.
/// </param>
public sealed record ClusterEvent(string Subject, ReadOnlyMemory<byte> Payload, string ContentType, long Sequence, DateTimeOffset PublishedAt, long Dropped)
{
    /// <summary>True for JSON and text payloads, which read as UTF-8.</summary>
    public bool IsText => EventContentTypes.IsText(ContentType);

    /// <summary>The payload decoded as UTF-8.</summary>
    public string Text => Encoding.UTF8.GetString(Payload.Span);

    /// <summary>The JSON payload deserialized with the web defaults (camelCase names), as <see cref="ClusterEvents.PublishAsync{T}"/> wrote it.</summary>
    public T? ReadJson<T>() => JsonSerializer.Deserialize<T>(Payload.Span, ClusterEvents.JsonOptions);
}
