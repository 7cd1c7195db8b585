namespace Skein.Engine;

/// <summary>A named set of tasks and exclusivity groups: what a run executes.</summary>
public sealed class Job
{
    /// <summary>The most tasks one run holds, however they were made (a job file's factories are held to it too).</summary>
    public const int MaxTasks = 100_000;

    private readonly List<TaskSpec> _tasks = [];
    private readonly Dictionary<string, GroupSpec> _groups = new(StringComparer.Ordinal);
    private readonly List<ValidationProblem> _warnings = [];

    public Job(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>Names the job in the journal; --resume continues the latest run of the same name.</summary>
    public string Name { get; }

    /// <summary>The job file this job was read from, if any.</summary>
    public string? SourceFile { get; init; }

    /// <summary>
    /// The most bytes of artifacts a run of this job stores (a job file's <c>limits: { artifacts: 2GiB }</c>); null:
    /// <see cref="RunOptions.ArtifactLimit"/>.
    /// </summary>
    public long? ArtifactLimit { get; init; }

    public IReadOnlyList<TaskSpec> Tasks => _tasks;

    public IReadOnlyDictionary<string, GroupSpec> Groups => _groups;

    /// <summary>Warnings found while the job was built (a glob that matched nothing); reported with validation.</summary>
    public IReadOnlyList<ValidationProblem> Warnings => _warnings;

    public Job Add(TaskSpec task)
    {
        ArgumentNullException.ThrowIfNull(task);
        _tasks.Add(task);
        return this;
    }

    /// <summary>Adds a C# task. Its return value is readable by its dependents through <see cref="TaskContext.GetResult{T}"/>.</summary>
    public Job Add(string id, Func<TaskContext, object?> body, params string[] needs) =>
        Add(new TaskSpec { Id = id, Action = DelegateAction.From(body), Needs = needs });

    /// <summary>Adds an asynchronous C# task that returns a value.</summary>
    public Job Add(string id, Func<TaskContext, CancellationToken, Task<object?>> body, params string[] needs) =>
        Add(new TaskSpec { Id = id, Action = DelegateAction.From(body), Needs = needs });

    /// <summary>Adds an asynchronous C# task.</summary>
    public Job Add(string id, Func<TaskContext, CancellationToken, Task> body, params string[] needs) =>
        Add(new TaskSpec { Id = id, Action = DelegateAction.From(body), Needs = needs });

    /// <summary>Adds an asynchronous C# task whose value is readable by its dependents through <see cref="TaskContext.GetResult{T}"/>.</summary>
    public Job Add<T>(string id, Func<TaskContext, CancellationToken, Task<T>> body, params string[] needs) =>
        Add(new TaskSpec { Id = id, Action = DelegateAction.From(body), Needs = needs });

    /// <summary>Adds a shell command, run by bash -c.</summary>
    public Job AddCommand(string id, string command, params string[] needs) =>
        Add(new TaskSpec { Id = id, Action = new CommandAction(command), Needs = needs });

    public Job AddGroup(string name, int workers, SourceLocation? location = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _groups[name] = new GroupSpec(workers) { Location = location };
        return this;
    }

    public Job AddWarning(ValidationProblem warning)
    {
        _warnings.Add(warning);
        return this;
    }
}
