namespace Skein.Cluster.Events;

/// <summary>
/// One event as a subscriber receives it. <see cref="Payload"/> is the publisher's memory, not a
/// copy: every matching subscriber shares it, so publishers must not reuse the buffer afterwards.
/// </summary>
/// <param name="Sequence">Bus-wide, increasing with every publish; unique, and gaps show events nobody matched.</param>
/// <param name="ContentType">What the payload holds, e.g. <c>application/json</c>; the bus never looks inside.</param>
public sealed record BusEvent(string Subject, ReadOnlyMemory<byte> Payload, long Sequence, DateTimeOffset PublishedAt, string ContentType = EventContentTypes.Json);
