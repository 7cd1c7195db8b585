namespace Skein.Cluster.Events;

public sealed class EventBusSubscriptionOptions
{
    public const int DefaultBufferCapacity = 1024;

    /// <summary>
    /// Events held for this subscriber before further ones are dropped (and counted). Bounded so a
    /// subscriber that stops reading costs a fixed amount of memory and never slows the publisher.
    /// </summary>
    public int BufferCapacity { get; set; } = DefaultBufferCapacity;

    internal void Validate()
    {
        if (BufferCapacity < 1)
            throw new ArgumentOutOfRangeException(nameof(BufferCapacity), BufferCapacity, "A subscription's buffer must hold at least one event.");
    }
}
