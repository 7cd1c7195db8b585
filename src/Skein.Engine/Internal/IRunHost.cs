namespace Skein.Engine.Internal;

/// <summary>The part of a running job that task contexts talk to.</summary>
internal interface IRunHost
{
    long RunId { get; }

    object? GetValue(string taskId, string askingTaskId);

    void AddTasks(IReadOnlyList<TaskSpec> tasks, string addedBy);
}
