namespace Skein.Engine;

/// <summary>How a run executes. Built once; the scheduler reads it at start only.</summary>
public sealed class RunOptions
{
    /// <summary>How many ungrouped tasks run at once. Default: the number of cores.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Where the run is recorded; null runs without a journal (nothing to resume from).</summary>
    public IRunJournal? Journal { get; init; }

    /// <summary>Holds the journal and the task logs. Default: .skein in the current directory.</summary>
    public string StateDirectory { get; init; } = ".skein";

    /// <summary>Reuse what passed in the latest run of the same job instead of running it again.</summary>
    public bool Resume { get; init; }

    /// <summary>Run only these tasks and everything they need, transitively.</summary>
    public IReadOnlyCollection<string>? Only { get; init; }

    /// <summary>Emit <see cref="TaskStarted"/> events (progress views want them; throughput benchmarks do not).</summary>
    public bool ReportStarts { get; init; }

    /// <summary>The command line that started the run, recorded in the journal.</summary>
    public string? CommandLine { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// How long a C# task that ignores its cancellation token is waited for after its timeout, or after the run is
    /// cancelled, before it is abandoned and counted timed-out or cancelled (commands have their own SIGTERM →
    /// SIGKILL grace).
    /// </summary>
    public TimeSpan AbandonGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs each attempt: <see cref="InProcessExecutor"/> (the default) in this process, or another executor that
    /// runs attempts elsewhere. The run keeps scheduling, timeouts, cancellation and retries either way.
    /// </summary>
    public ITaskExecutor Executor { get; init; } = InProcessExecutor.Instance;

    /// <summary>
    /// The most bytes of artifacts one run stores (distinct content), when the job does not say
    /// (<see cref="Job.ArtifactLimit"/>). Default 1 GiB. An artifact past it fails its task, naming the file and the limit.
    /// </summary>
    public long ArtifactLimit { get; init; } = DefaultArtifactLimit;

    /// <summary>1 GiB.</summary>
    public const long DefaultArtifactLimit = 1L << 30;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Executor);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (Workers < 1) throw new ArgumentOutOfRangeException(nameof(Workers), Workers, "Workers must be at least 1.");
        ArgumentException.ThrowIfNullOrWhiteSpace(StateDirectory);
        if (ArtifactLimit < 0) throw new ArgumentOutOfRangeException(nameof(ArtifactLimit), ArtifactLimit, "The artifact limit cannot be negative.");
    }
}
