namespace Skein.Cluster.Services;

/// <summary>Payload size limits shared by callers and hosts.</summary>
public static class MessageLimits
{
    public const int DefaultMaxMessageBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Bytes of framing a payload may add to its data (a MessagePack array and bin headers), so that a
    /// 16 MiB byte array fits the 16 MiB limit.
    /// </summary>
    public const int FramingAllowance = 64;

    /// <summary>What the gRPC transport lets through: the payload limit plus room for the envelope around it.</summary>
    public static int TransportLimit(int maxMessageBytes) => maxMessageBytes + FramingAllowance + 64 * 1024;

    public static bool Fits(int payloadBytes, int maxMessageBytes) => payloadBytes <= (long)maxMessageBytes + FramingAllowance;

    public static string Describe(int bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024):0.##} MiB" : bytes >= 1024 ? $"{bytes / 1024.0:0.#} KiB" : $"{bytes} bytes";
}
