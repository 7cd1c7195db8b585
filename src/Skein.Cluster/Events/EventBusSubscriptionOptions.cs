namespace Skein.Cluster.Events;

public sealed class EventBusSubscriptionOptions
{
    public const int DefaultBufferCapacity = 1024;

    /// <summary>
    /// Events held for this subscriber before further ones are dropped (and counted). Bounded so a
    /// subscriber that stops reading costs a fixed amount of memory and never slows the publisher.
    /// </summary>
    public int BufferCapacity { get; set; } = DefaultBufferCapacity;

    /// <summary>
    /// Payload bytes held for this subscriber before further events are dropped (and counted), so a few large events
    /// cost no more than this either. An event larger than this on its own is still taken into an empty buffer.
    /// </summary>
    public long BufferMaxBytes { get; set; } = EventLimits.DefaultBufferMaxBytes;

    internal void Validate()
    {
        if (BufferMaxBytes < 1)
            throw new ArgumentOutOfRangeException(nameof(BufferMaxBytes), BufferMaxBytes, "A subscription's buffer must hold at least one byte.");
        if (BufferCapacity < 1)
            throw new ArgumentOutOfRangeException(nameof(BufferCapacity), BufferCapacity, "A subscription's buffer must hold at least one event.");
    }
}
