namespace Skein.Engine.Journal.Internal;

/// <summary>A run to create; completed with its id once the row is committed.</summary>
internal sealed class BeginRunRequest(RunRecord run) : TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public RunRecord Run { get; } = run;

    /// <summary>The id the insert returned; handed to the caller only after the commit.</summary>
    public long AssignedId { get; set; }
}
