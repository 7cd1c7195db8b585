using Skein.Cluster.Addressing;

namespace Skein.Cluster.Configuration;

/// <summary>How a coordinator listens and judges its nodes; validated once by <see cref="Validate"/> at start.</summary>
public sealed class CoordinatorOptions
{
    /// <summary>HOST:PORT to listen on; port 0 picks a free port (the real one is in <see cref="Coordinator.Address"/>).</summary>
    public string Listen { get; set; } = "127.0.0.1:7700";

    /// <summary>Directory holding the cluster token and the connection file.</summary>
    public string StateDirectory { get; set; } = ".skein";

    /// <summary>How often nodes are asked to send a heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A node that has sent no heartbeat for this long is declared lost.</summary>
    public TimeSpan LostAfter { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Recent events the event bus keeps for subscribers that ask for a replay (and <c>skein events</c>); 0 keeps none.</summary>
    public int EventHistoryCapacity { get; set; } = 1000;

    /// <summary>The payload bytes the event history keeps at most, oldest events dropped first; default 64 MiB.</summary>
    public long EventHistoryMaxBytes { get; set; } = Events.EventLimits.DefaultHistoryMaxBytes;

    /// <summary>The largest payload one event may carry; a larger one is refused at publish. Default 1 MiB.</summary>
    public int MaxEventPayloadBytes { get; set; } = Events.EventLimits.DefaultMaxPayloadBytes;

    /// <summary>
    /// The most bytes of artifacts one run stores in the coordinator's state directory (distinct content), for a job
    /// that does not set its own (<c>limits: { artifacts: SIZE }</c>). Default 1 GiB.
    /// </summary>
    public long ArtifactLimit { get; set; } = Engine.RunOptions.DefaultArtifactLimit;

    /// <summary>Throws <see cref="SkeinException"/> naming the first option that cannot work.</summary>
    public void Validate()
    {
        _ = ListenAddress.Parse(Listen);
        if (string.IsNullOrWhiteSpace(StateDirectory)) throw new SkeinException("the coordinator needs a state directory");
        if (HeartbeatInterval <= TimeSpan.Zero) throw new SkeinException($"heartbeat interval must be positive, not {HeartbeatInterval}");
        if (EventHistoryCapacity < 0) throw new SkeinException($"the event history capacity cannot be negative ({EventHistoryCapacity})");
        if (EventHistoryMaxBytes < 1) throw new SkeinException($"the event history's byte bound must be positive ({EventHistoryMaxBytes})");
        if (ArtifactLimit < 0) throw new SkeinException($"the artifact limit cannot be negative ({ArtifactLimit})");
        if (MaxEventPayloadBytes < 1) throw new SkeinException($"the largest event payload must be positive ({MaxEventPayloadBytes})");
        if (LostAfter <= HeartbeatInterval)
            throw new SkeinException($"lost-after ({LostAfter.TotalSeconds:0.###} s) must be longer than the heartbeat interval ({HeartbeatInterval.TotalSeconds:0.###} s)");
    }
}
