namespace Skein.Cluster.Events;

/// <summary>
/// One event as a subscriber receives it. <see cref="Payload"/> is the publisher's memory, not a
/// copy: every matching subscriber shares it, so publishers must not reuse the buffer afterwards.
/// </summary>
/// <param name="Sequence">Bus-wide, increasing with every publish; unique, and gaps show events nobody matched.</param>
/// <param name="ContentType">What the payload holds, e.g. <c>application/json</c>; the bus never looks inside.</param>
public sealed record BusEvent(string Subject, ReadOnlyMemory<byte> Payload, long Sequence, DateTimeOffset PublishedAt, string ContentType = EventContentTypes.Json)
{
    /// <summary>
    /// The event as the gRPC bridge sends it, made by the first remote subscriber and shared by the
    /// others, so fanning out to N subscribers converts it once rather than N times. Protobuf
    /// messages may be serialized from several threads at once as long as nobody changes them.
    /// </summary>
    internal object? Wire { get; set; }

    // Written out so the cache above plays no part in equality.
    public bool Equals(BusEvent? other) =>
        other is not null && Subject == other.Subject && Payload.Equals(other.Payload) && Sequence == other.Sequence
        && PublishedAt == other.PublishedAt && ContentType == other.ContentType;

    public override int GetHashCode() => HashCode.Combine(Subject, Payload, Sequence, PublishedAt, ContentType);
}
