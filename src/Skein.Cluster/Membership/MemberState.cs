namespace Skein.Cluster.Membership;

public enum MemberState
{
    /// <summary>Registered and heartbeating.</summary>
    Alive,

    /// <summary>Missed its heartbeats or its session broke.</summary>
    Lost,

    /// <summary>Said goodbye before going.</summary>
    Left,
}
