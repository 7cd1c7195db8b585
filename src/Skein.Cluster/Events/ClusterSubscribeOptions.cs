namespace Skein.Cluster.Events;

/// <summary>How <see cref="ClusterEvents.SubscribeAsync(string, ClusterSubscribeOptions, CancellationToken)"/> subscribes.</summary>
public sealed class ClusterSubscribeOptions
{
    /// <summary>Receive the coordinator's recent history matching the pattern first, then the live events, without duplicates.</summary>
    public bool ReplayRecent { get; init; }

    /// <summary>Events the coordinator buffers for this subscriber before dropping further ones; 0 for its default (1,024).</summary>
    public int BufferCapacity { get; init; }

    /// <summary>
    /// Called once the coordinator has registered the subscription: events published from then on
    /// reach it. Lets a caller publish, or tell a user it is following, without a race.
    /// </summary>
    public Action? Subscribed { get; init; }
}
