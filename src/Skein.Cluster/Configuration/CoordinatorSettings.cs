namespace Skein.Cluster.Configuration;

/// <summary>
/// What the configuration (skein.yaml's <c>coordinator</c> section, <c>SKEIN_COORDINATOR__…</c> variables) says about
/// a coordinator; a null member was not configured and leaves the options' own default.
/// </summary>
public sealed class CoordinatorSettings
{
    public string? Listen { get; set; }

    public TimeSpan? HeartbeatInterval { get; set; }

    public TimeSpan? LostAfter { get; set; }

    public int? EventHistoryCapacity { get; set; }

    public long? EventHistoryMaxBytes { get; set; }

    public int? MaxEventPayloadBytes { get; set; }

    /// <summary>The most bytes of artifacts one run stores, for jobs that do not set their own.</summary>
    public long? ArtifactLimit { get; set; }

    /// <summary>Sets what is configured on <paramref name="options"/>.</summary>
    public void ApplyTo(CoordinatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Listen is not null) options.Listen = Listen;
        if (HeartbeatInterval is { } heartbeat) options.HeartbeatInterval = heartbeat;
        if (LostAfter is { } lostAfter) options.LostAfter = lostAfter;
        if (EventHistoryCapacity is { } capacity) options.EventHistoryCapacity = capacity;
        if (EventHistoryMaxBytes is { } historyBytes) options.EventHistoryMaxBytes = historyBytes;
        if (MaxEventPayloadBytes is { } payloadBytes) options.MaxEventPayloadBytes = payloadBytes;
        if (ArtifactLimit is { } artifactLimit) options.ArtifactLimit = artifactLimit;
    }
}
