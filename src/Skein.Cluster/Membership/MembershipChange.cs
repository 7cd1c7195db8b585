namespace Skein.Cluster.Membership;

internal enum MembershipChangeKind
{
    Joined,
    Lost,
    Left,
    ServicesChanged,
}

/// <summary>One change as watchers receive it: the member as it is after the change, and why for losses and departures.</summary>
internal sealed record MembershipChange(MembershipChangeKind Kind, Member Member, string Reason = "");
