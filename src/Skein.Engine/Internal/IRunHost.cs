namespace Skein.Engine;

/// <summary>The part of a running job that task contexts talk to.</summary>
internal interface IRunHost
{
    long RunId { get; }

    /// <summary>Where an attempt's log goes.</summary>
    string LogPathFor(string taskId, int attempt);

    object? GetValue(string taskId, string askingTaskId);

    /// <summary>True for a task of this run that calls a cluster service (its value is its output <c>result</c>, JSON).</summary>
    bool IsServiceCall(string taskId);

    IReadOnlyDictionary<string, string> GetOutputs(string taskId, string askingTaskId);

    /// <summary>An attempt waits for room (a reason), or no longer does (null).</summary>
    void ReportWaiting(string taskId, int attempt, string? reason);
    /// <summary>Where the run keeps the artifacts its tasks collect in this process.</summary>
    RunArtifactStore Artifacts { get; }

    void AddTasks(IReadOnlyList<TaskSpec> tasks, string addedBy);
}
