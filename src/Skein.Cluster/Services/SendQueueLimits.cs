namespace Skein.Cluster.Services;

/// <summary>
/// How much one connection may hold waiting for its socket, in each direction. A sender that finds the queue full
/// waits (asynchronously, and cancellably) until the socket has taken enough: a caller that outpaces the network is
/// slowed to its pace instead of growing memory.
/// </summary>
public sealed class SendQueueLimits
{
    /// <summary>The most envelopes queued at once; default 1024.</summary>
    public int MaxEnvelopes { get; set; } = 1024;

    /// <summary>
    /// The most bytes queued at once (payloads plus <see cref="EnvelopeOverhead"/> each); default 4 MiB. A single
    /// envelope larger than this is still sent, alone, once the queue is empty.
    /// </summary>
    public int MaxBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>What each envelope is counted as beyond its payload: its other fields, roughly.</summary>
    public const int EnvelopeOverhead = 64;

    internal static int SizeOf(Protocol.Envelope envelope) => envelope.Payload.Length + EnvelopeOverhead;

    internal void Validate()
    {
        if (MaxEnvelopes < 1) throw new SkeinException($"the send queue must hold at least 1 envelope, not {MaxEnvelopes}");
        if (MaxBytes < 1024) throw new SkeinException($"the send queue must hold at least 1 KiB, not {MaxBytes} bytes");
    }
}
