namespace Skein.Cluster.Events;

/// <summary>Event times on the wire: nanoseconds since the Unix epoch, as OpenTelemetry's protocol has them.</summary>
internal static class EventTime
{
    private const long NanosecondsPerTick = 100;

    public static ulong ToUnixNanoseconds(DateTimeOffset time) =>
        (ulong)((time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * NanosecondsPerTick);

    public static DateTimeOffset FromUnixNanoseconds(ulong nanoseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks((long)(nanoseconds / NanosecondsPerTick));
}
