namespace Skein.Engine;

/// <summary>One task of a job: an action plus the metadata the scheduler uses.</summary>
/// <remarks>Immutable once added to a job; build it with an object initializer.</remarks>
public sealed class TaskSpec
{
    /// <summary>Unique id within the job.</summary>
    public required string Id { get; init; }

    /// <summary>What the task does: a delegate, a command, or any <see cref="ITaskAction"/>.</summary>
    public required ITaskAction Action { get; init; }

    /// <summary>Task ids or capabilities this task waits for; each must pass (or warn) first.</summary>
    public IReadOnlyList<string> Needs { get; init; } = [];

    /// <summary>Capabilities this task stands for (a virtual "db" that other tasks need).</summary>
    public IReadOnlyList<string> Provides { get; init; } = [];

    /// <summary>Resources held exclusively while the task runs.</summary>
    public IReadOnlyList<string> Claims { get; init; } = [];

    /// <summary>Resources held shared while the task runs: many users at once, never beside a claim.</summary>
    public IReadOnlyList<string> Uses { get; init; } = [];

    /// <summary>Higher starts first among ready tasks; ties keep the order tasks were added.</summary>
    public int Priority { get; init; }

    /// <summary>Longest an attempt may run before it is killed and counted timed-out. Null: no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>How many times to run the task again after a failure, timeout or error.</summary>
    public int Retries { get; init; }

    /// <summary>
    /// How long to wait before a retry: the first delay, which <see cref="RetryBackoff"/> grows for later ones (with
    /// jitter). Zero, the default, retries at once. At most a day.
    /// </summary>
    public TimeSpan RetryDelay { get; init; }

    /// <summary>How the delay between retries grows. Only matters with a <see cref="RetryDelay"/>.</summary>
    public RetryBackoff RetryBackoff { get; init; }

    /// <summary>The exclusivity group, or null for a task that runs beside any group.</summary>
    public string? Group { get; init; }

    /// <summary>What one attempt occupies on a cluster node (default: one core, no memory). Ignored in one process.</summary>
    public TaskResources Resources { get; init; } = TaskResources.Default;

    /// <summary>Which cluster nodes may run the task (labels, node, host); null: any. Ignored in one process.</summary>
    public TaskPlacement? Placement { get; init; }

    /// <summary>
    /// Files the task hands on to its dependents when it passes (a job file's <c>artifacts:</c>): globs relative to the
    /// attempt's working directory, a leading <c>!</c> excluding. Each dependent finds them in its own working
    /// directory before it starts, wherever either ran. Only commands collect them.
    /// </summary>
    public IReadOnlyList<string> Artifacts { get; init; } = [];

    /// <summary>
    /// True when the command's working directory was chosen on purpose (a job file's <c>workdir:</c>): a node runs it
    /// there as it is. False when it is only where the job file is, which a node uses only if it sees that same directory.
    /// </summary>
    public bool WorkdirIsExplicit { get; init; }

    /// <summary>Where the task was declared, and where its keys are, when it came from a file.</summary>
    public TaskSource? Source { get; init; }

    /// <summary>
    /// A version the user bumps when a C# task's code changes, so that --resume re-runs it.
    /// Command tasks are versioned by their command, environment and directory automatically.
    /// </summary>
    public string? Version { get; init; }

    public override string ToString() => Id;
}
