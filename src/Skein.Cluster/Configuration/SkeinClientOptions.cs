using Skein.Cluster.Services;
using Skein.Cluster.Services.Hosting;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;

namespace Skein.Cluster.Configuration;

/// <summary>How a <see cref="SkeinClient"/> calls services.</summary>
public sealed class SkeinClientOptions
{
    /// <summary>The deadline of each call (and of opening a proxy) unless a proxy is given its own; default 30 s. Streams have none.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long to try to reach the coordinator or a node before giving up with a <see cref="ClusterUnreachableException"/>;
    /// default 30 s, generous because a busy coordinator may take seconds to answer while a refused connection fails at once.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = Internal.ClusterChannel.DefaultTimeout;

    /// <summary>The largest payload sent or accepted; default 16 MiB.</summary>
    public int MaxMessageBytes { get; set; } = MessageLimits.DefaultMaxMessageBytes;

    /// <summary>
    /// The coordinator a hosted client (<c>AddSkeinClient</c>) connects to, HOST:PORT; empty finds it as the CLI does
    /// (<c>SKEIN_CLUSTER</c>, else the connection file in <see cref="StateDirectory"/>).
    /// </summary>
    public string Coordinator { get; set; } = "";

    /// <summary>The cluster token of a hosted client; empty reads it as the CLI does (<c>SKEIN_TOKEN</c>, else the state directory).</summary>
    public string Token { get; set; } = "";

    /// <summary>Where a hosted client finds the connection file and the token; null is <c>SKEIN_STATE</c>, then <c>.skein</c>.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Services hosted in this process: calls to them stay in-process (no socket), through the same proxies.</summary>
    public ServiceHost? LocalServices { get; set; }

    /// <summary>How much each connection to a node may queue for its socket before callers wait for room.</summary>
    public SendQueueLimits SendQueue { get; set; } = new();

    /// <summary>
    /// How many items of a stream a node may send ahead of the consumer reading it (flow control: a consumer that
    /// stops reading pauses the node's producer); default 64. 0 turns flow control off: the node sends as fast as it
    /// produces and the items wait in the client.
    /// </summary>
    public int StreamWindow { get; set; } = 64;

    /// <summary>
    /// The name this client arrives at barriers under (<see cref="SkeinClient.BarrierAsync(string, int, TimeSpan, CancellationToken)"/>);
    /// null takes <c>SKEIN_PARTICIPANT</c>, else HOST/PID.
    /// </summary>
    public string? Participant { get; set; }

    internal void Validate()
    {
        if (Participant is not null && Barriers.BarrierLimits.Problem("-", Participant, 1, [], "", TimeSpan.FromSeconds(1)) is { } problem)
            throw new SkeinException(problem);
        ArgumentNullException.ThrowIfNull(SendQueue);
        SendQueue.Validate();
        if (StreamWindow < 0) throw new SkeinException($"the stream window must be 0 (off) or more, not {StreamWindow}");
        if (CallTimeout <= TimeSpan.Zero && CallTimeout != Timeout.InfiniteTimeSpan) throw new SkeinException("the call timeout must be positive (or infinite)");
        if (ConnectTimeout <= TimeSpan.Zero) throw new SkeinException("the connect timeout must be positive");
        if (MaxMessageBytes < 1024) throw new SkeinException($"the maximum message size must be at least 1 KiB, not {MaxMessageBytes} bytes");
        if (Coordinator.Length > 0) _ = ClusterAddress.Parse(Coordinator);
    }
}
