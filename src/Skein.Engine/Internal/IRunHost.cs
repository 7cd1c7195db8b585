namespace Skein.Engine.Internal;

/// <summary>The part of a running job that task contexts talk to.</summary>
internal interface IRunHost
{
    long RunId { get; }

    /// <summary>Where an attempt's log goes.</summary>
    string LogPathFor(string taskId, int attempt);

    object? GetValue(string taskId, string askingTaskId);

    IReadOnlyDictionary<string, string> GetOutputs(string taskId, string askingTaskId);

    /// <summary>Where the run keeps the artifacts its tasks collect in this process.</summary>
    RunArtifactStore Artifacts { get; }

    void AddTasks(IReadOnlyList<TaskSpec> tasks, string addedBy);
}
