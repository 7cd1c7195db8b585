namespace Skein.Cluster.Events;

/// <summary>
/// The byte bounds of the event bus, beside its count bounds: a few large events must not take the coordinator's
/// memory with them. Counted in payload bytes.
/// </summary>
public static class EventLimits
{
    /// <summary>The largest payload one event may carry; a larger one is refused at publish.</summary>
    public const int DefaultMaxPayloadBytes = 1024 * 1024;

    /// <summary>The payload bytes the history keeps at most; the oldest events go first.</summary>
    public const long DefaultHistoryMaxBytes = 64L * 1024 * 1024;

    /// <summary>The payload bytes one subscriber may have waiting; further events are dropped (and counted).</summary>
    public const long DefaultBufferMaxBytes = 16L * 1024 * 1024;

    /// <summary>Refuses a payload over <paramref name="maxPayloadBytes"/>, naming the subject and both sizes.</summary>
    /// <exception cref="ArgumentException">The payload is too large.</exception>
    public static void CheckPayload(string subject, int payloadBytes, int maxPayloadBytes)
    {
        if (payloadBytes <= maxPayloadBytes) return;
        // Exact byte counts: rounded sizes would read "64 KiB, over the limit of 64 KiB".
        throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"The event on '{subject}' has a payload of {payloadBytes:N0} bytes, over the limit of {maxPayloadBytes:N0} bytes " +
            $"({Services.MessageLimits.Describe(maxPayloadBytes)}) for one event; publish a reference to large data (a path, a URL) instead"));
    }
}
