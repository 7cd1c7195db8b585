namespace Skein.Engine;

/// <summary>
/// A named resource: held exclusively by one claimer, or shared by many users, never both.
/// A waiting claimer keeps new users out, so a stream of users cannot starve it.
/// </summary>
internal sealed class Resource(string name)
{
    public string Name { get; } = name;
    public bool Claimed;
    public int Users;

    /// <summary>
    /// Claimers waiting for this resource: parked on it, or put back in a ready queue when it was released and
    /// not started yet. They stay counted in the ready queue because another pool may be drained before theirs.
    /// </summary>
    public int WaitingClaimers;
    public List<TaskNode>? Parked;

    public bool CanClaim => !Claimed && Users == 0;
    public bool CanUse => !Claimed && WaitingClaimers == 0;
}
