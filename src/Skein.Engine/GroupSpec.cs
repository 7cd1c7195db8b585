namespace Skein.Engine;

/// <summary>An exclusivity group: while its tasks run, no task of another group does.</summary>
/// <param name="Workers">How many of the group's tasks may run at once.</param>
public sealed record GroupSpec(int Workers)
{
    public SourceLocation? Location { get; init; }
}
