namespace Skein.Engine.Journal.Internal;

/// <summary>A question for the writer's connection, answered after the writes queued before it are committed.</summary>
internal sealed class ResumeQuery(string jobName) : TaskCompletionSource<ResumePoint?>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public string JobName { get; } = jobName;
}
