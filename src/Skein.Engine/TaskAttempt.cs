namespace Skein.Engine;

/// <summary>One attempt of one task, as the run hands it to an <see cref="ITaskExecutor"/>.</summary>
/// <remarks>A struct: the run makes one per attempt, and a run of no-op tasks makes millions.</remarks>
public readonly struct TaskAttempt
{
    internal TaskAttempt(TaskSpec task, ITaskAction action, int number, long runId, DateTimeOffset startedAt, TaskContext context,
        IReadOnlyList<ArtifactFile>? inputArtifacts = null, long artifactLimit = RunOptions.DefaultArtifactLimit)
    {
        _inputArtifacts = inputArtifacts;
        ArtifactLimit = artifactLimit;
        Task = task;
        Action = action;
        Number = number;
        RunId = runId;
        StartedAt = startedAt;
        Context = context;
    }

    /// <summary>The task as defined; run <see cref="Action"/>, not <c>Task.Action</c>.</summary>
    public TaskSpec Task { get; }

    /// <summary>
    /// What this attempt runs: the task's action with the outputs it reads (<c>{{tasks.ID.outputs.NAME}}</c>) filled
    /// in, so an executor that ships it elsewhere ships the resolved definition. The task's own action when it reads none.
    /// </summary>
    public ITaskAction Action { get; }

    /// <summary>The resolved command as data, for a command task (what a remote executor sends to a node); null for other actions.</summary>
    public CommandSpec? Command => (Action as CommandAction)?.Spec;

    public string TaskId => Task.Id;

    /// <summary>1 for the first attempt, 2 for the first retry, and so on.</summary>
    public int Number { get; }

    /// <summary>The run's id in the journal; 0 when it runs without one.</summary>
    public long RunId { get; }

    /// <summary>When the run started the attempt, by the run's clock.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Longest the attempt may run; null: no limit. The run enforces it by cancelling the attempt's token.</summary>
    public TimeSpan? Timeout => Task.Timeout;

    /// <summary>When the attempt times out, by the run's clock; null: never. For an executor that passes it on.</summary>
    public DateTimeOffset? Deadline => Task.Timeout is { } timeout ? StartedAt + timeout : null;

    private readonly IReadOnlyList<ArtifactFile>? _inputArtifacts;

    /// <summary>
    /// The artifacts the task's direct needs handed on, to be placed in the attempt's working directory before it
    /// starts (at their relative paths); empty when none.
    /// </summary>
    public IReadOnlyList<ArtifactFile> InputArtifacts => _inputArtifacts ?? [];

    /// <summary>The most bytes of artifacts the attempt's run stores (distinct content); an executor that stores them elsewhere enforces it there.</summary>
    public long ArtifactLimit { get; }

    /// <summary>What C# code running in this process sees: dependencies' values, added tasks, the log.</summary>
    internal TaskContext Context { get; }

    public override string ToString() => $"{TaskId} attempt {Number}";
}
