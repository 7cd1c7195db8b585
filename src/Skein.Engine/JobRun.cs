using Skein.Engine.Journal;
using Skein.Shared.Processes;

namespace Skein.Engine;

/// <summary>
/// A job being executed. Events stream out as tasks start and finish; every task ends with exactly one outcome.
/// Disposing the run before it ends cancels it.
/// </summary>
/// <remarks>
/// All scheduling state is guarded by one lock and every operation on it is O(log n) in the number of ready
/// tasks. Workers are loops: a worker that finishes a task picks the next startable one itself, so a run of
/// no-op tasks costs one lock round trip per task and no thread hops.
/// </remarks>
public sealed partial class JobRun : IAsyncDisposable, IRunHost
{
    private readonly Lock _lock = new();
    private readonly Job _job;
    private readonly RunOptions _options;
    private readonly IRunJournal? _journal;
    private readonly TimeProvider _time;
    private readonly ITaskExecutor _executor;
    private readonly RetryPipelines<AttemptOutcome> _retryPipelines;
    private readonly RunEventStream _events;
    private readonly TaskCompletionSource<RunSummary> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _cancel = new();
    private readonly TaskCompletionSource _cancelGraceOver = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskTable _nodes;
    private readonly Dictionary<string, List<TaskNode>> _providers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Resource> _resources = new(StringComparer.Ordinal);
    private readonly Pool _ungrouped;
    private readonly Dictionary<string, Pool> _groups = new(StringComparer.Ordinal);
    private readonly int[] _counts = new int[7];
    private readonly string _logDirectory;
    /// <summary>The run's folder name under the state directory's logs and artifacts: its id, or a unique name without a journal.</summary>
    private readonly string _runFolder;
    private readonly DateTimeOffset _startedAt;
    private readonly long _startTimestamp;
    private Pool? _activeGroup;
    private int _total;
    private int _done;
    private int _nextOrder;
    private bool _stopping;
    private bool _cancelled;
    private bool _completing;
    private bool _requeued;
    private CancellationTokenRegistration _callerCancellation;
    private ITimer? _cancelGraceTimer;
    private ResumeLock? _resumeLock;

    /// <summary>Tells apart the log folders of runs without a journal started by this process at the same moment (a fake clock stands still).</summary>
    private static int s_unjournaledRuns;

    /// <summary>The folder of the state directory that holds the task logs, one folder per run.</summary>
    internal const string LogsDirectoryName = "logs";

    private JobRun(Job job, RunOptions options, long runId, JobGraph graph)
    {
        _job = job;
        _options = options;
        _events = new RunEventStream(_lock);
        _journal = options.Journal;
        _time = options.TimeProvider;
        _executor = options.Executor;
        _retryPipelines = CreateRetryPipelines();
        RunId = runId;
        _nodes = new TaskTable(graph.IndexById, graph.Tasks.Length);
        _ungrouped = new Pool(null, options.Workers);
        foreach (var (name, group) in job.Groups) _groups[name] = new Pool(name, group.Workers);
        _runFolder = runId > 0 ? runId.ToString() : $"unjournaled-{Environment.ProcessId}-{_time.GetUtcNow():yyyyMMddHHmmssfff}-{Interlocked.Increment(ref s_unjournaledRuns)}";
        _logDirectory = Path.GetFullPath(Path.Combine(options.StateDirectory, LogsDirectoryName, _runFolder));
        _startedAt = _time.GetUtcNow();
        _startTimestamp = _time.GetTimestamp();
    }

    /// <summary>The run's id in the journal; 0 when it runs without one.</summary>
    public long RunId { get; }

    public string JobName => _job.Name;

    /// <summary>Where an attempt of a task writes its output (stdout and stderr as they come), so that it can be followed while it runs.</summary>
    public string LogPathOf(string taskId, int attempt) => LogPathFor(taskId, attempt);

    /// <summary>How many tasks the run holds so far (tasks added while running count too).</summary>
    public int TaskCount
    {
        get { lock (_lock) return _total; }
    }

    /// <summary>Ends when every task has its outcome and the journal has recorded them.</summary>
    public Task<RunSummary> Completion => _completion.Task;

    /// <summary>The run's events in order. There is one reader: read them once.</summary>
    public IAsyncEnumerable<RunEvent> ReadEventsAsync(CancellationToken cancellationToken = default) =>
        _events.ReadAllAsync(cancellationToken);

    /// <summary>Validates the job, opens its journal record and starts running it.</summary>
    /// <exception cref="JobValidationException">The job is invalid; nothing ran.</exception>
    public static async Task<JobRun> StartAsync(Job job, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        options ??= new RunOptions();
        options.Validate();

        var problems = new List<ValidationProblem>(job.Warnings);
        var graph = JobGraph.Build(job.Tasks, job.Groups, problems);
        var selected = JobValidator.Select(graph, options.Only, problems);
        // Only resuming walks the layers; a plain run needs Kahn's pass just for its cycle check.
        var layers = JobValidator.Layer(graph, selected, problems, out _, withNames: options.Resume);
        OutputReferenceCheck.Check(graph, selected, problems);
        foreach (var (name, group) in job.Groups)
        {
            if (group.Workers < 1) problems.Add(ValidationProblem.Error($"group '{name}' has workers {group.Workers}; it must be 1 or more", group.Location));
        }
        if (problems.Exists(p => p.Severity == ProblemSeverity.Error)) throw new JobValidationException(problems);
        // The executor has its say last: whether it can run these tasks at all (a cluster: whether any node could take them).
        var executorProblems = await options.Executor.CheckAsync(Selected(graph, selected), cancellationToken).ConfigureAwait(false);
        if (executorProblems.Count > 0)
        {
            problems.AddRange(executorProblems);
            if (problems.Exists(p => p.Severity == ProblemSeverity.Error)) throw new JobValidationException(problems);
        }

        var journal = options.Journal;
        CheckLogDirectory(options.StateDirectory, create: journal is not null);
        ResumePoint? resumeFrom = null;
        ResumeLock? resumeLock = null;
        try
        {
            if (options.Resume)
            {
                if (journal is null) throw new SkeinException("--resume needs the journal, but this run has none.");
                // Held until the run ends: a second --resume meanwhile would find the same tasks left to do.
                resumeLock = ResumeLock.Acquire(options.StateDirectory, job.Name);
                resumeFrom = await journal.FindResumePointAsync(job.Name, cancellationToken).ConfigureAwait(false);
            }
            var runId = journal is null
                ? 0
                : await journal.BeginRunAsync(new RunRecord(job.Name, job.SourceFile, options.TimeProvider.GetUtcNow(), resumeFrom?.RunId, options.CommandLine), cancellationToken).ConfigureAwait(false);

            var run = new JobRun(job, options, runId, graph) { _resumeLock = resumeLock };
            run.Build(graph, selected, layers, resumeFrom);
            run._callerCancellation = cancellationToken.Register(static state => ((JobRun)state!).Cancel(), run);
            run.Begin();
            return run;
        }
        catch
        {
            resumeLock?.Dispose();
            throw;
        }
    }

    private static TaskSpec[] Selected(JobGraph graph, bool[] selected)
    {
        if (Array.TrueForAll(selected, static s => s)) return graph.Tasks;
        var tasks = new List<TaskSpec>(graph.Tasks.Length);
        for (var i = 0; i < selected.Length; i++) if (selected[i]) tasks.Add(graph.Tasks[i]);
        return [.. tasks];
    }

    /// <summary>
    /// Every task logs under the state directory's logs folder: one that cannot be a directory there is one clear
    /// error before the run starts, rather than the same failure in every task.
    /// </summary>
    /// <param name="create">Create it now (a journaled run uses the state directory anyway); else only check what is there.</param>
    private static void CheckLogDirectory(string stateDirectory, bool create)
    {
        var state = Path.GetFullPath(stateDirectory);
        var logs = Path.Combine(state, LogsDirectoryName);
        if (File.Exists(logs))
            throw new SkeinException($"the state directory {state} cannot hold task logs: {logs} is a file, not a directory");
        if (!create) return;
        try
        {
            Directory.CreateDirectory(logs);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SkeinException($"the state directory {state} cannot hold task logs: cannot create {logs}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Stops the run gracefully: nothing new starts, running tasks are cancelled (commands get SIGTERM, then
    /// SIGKILL after their grace), and every unfinished task is recorded cancelled.
    /// </summary>
    public void Cancel()
    {
        lock (_lock)
        {
            if (_stopping) return;
            _stopping = true;
            _cancelled = true;
            foreach (var node in _nodes)
            {
                if (node.State is NodeState.Running or NodeState.Done) continue;
                FinishLocked(node, Cancelled(node, "the run was cancelled before it started"));
            }
            _ungrouped.Ready.Clear();
            foreach (var pool in _groups.Values) pool.Ready.Clear();
            CompleteIfDoneLocked();
            // C# code deaf to its token would keep the run from ever ending: give it the grace, then abandon it.
            _cancelGraceTimer = _time.CreateTimer(static state => ((JobRun)state!)._cancelGraceOver.TrySetResult(), this, _options.AbandonGrace, Timeout.InfiniteTimeSpan);
        }
        _events.Flush(force: true);
        _cancel.Cancel();
    }

    /// <summary>Kills every process the run started at once (SIGKILL to each process group): the second Ctrl+C.</summary>
    public static void KillAllProcesses() => ProcessGroups.KillAll();

    public async ValueTask DisposeAsync()
    {
        if (!_completion.Task.IsCompleted) Cancel();
        try
        {
            await _completion.Task.ConfigureAwait(false);
        }
        catch
        {
            // The run's failure was reported through Completion; disposing must not throw it again.
        }
        _callerCancellation.Dispose();
        _cancelGraceTimer?.Dispose();
        _resumeLock?.Dispose();
        _cancel.Dispose();
    }

    private void Build(JobGraph graph, bool[] selected, List<IReadOnlyList<string>> layers, ResumePoint? resumeFrom)
    {
        var records = _journal is null ? null : new List<TaskRecord>(graph.Tasks.Length);
        for (var i = 0; i < graph.Tasks.Length; i++)
        {
            if (!selected[i]) continue;
            var node = CreateNode(graph.Tasks[i]);
            _nodes.SetJobTask(i, node);
            if (records is not null)
            {
                node.DefinitionHash = DefinitionHash.Compute(node.Spec);
                records.Add(new TaskRecord(node.Id, node.DefinitionHash, node.Spec.Group, node.Order));
            }
        }
        // Count each task's dependents first, so every list is allocated once at its final size.
        var dependentCounts = new int[graph.Tasks.Length];
        for (var i = 0; i < graph.Tasks.Length; i++)
        {
            if (_nodes[i] is null) continue;
            foreach (var dep in graph.Deps[i]) dependentCounts[dep]++;
        }
        for (var i = 0; i < graph.Tasks.Length; i++)
        {
            if (_nodes[i] is not { } node) continue;
            var deps = graph.Deps[i];
            if (deps.Length == 0) continue;
            node.Deps = new TaskNode[deps.Length];
            for (var d = 0; d < deps.Length; d++)
            {
                var dep = _nodes[deps[d]]!;
                node.Deps[d] = dep;
                (dep.Dependents ??= new List<TaskNode>(dependentCounts[deps[d]])).Add(node);
            }
            node.PendingDeps = deps.Length;
        }
        _total = _nodes.Count;
        if (records is not null) _journal!.RecordTasks(RunId, records);
        if (resumeFrom is not null) MarkReusable(layers, resumeFrom);
    }

    private TaskNode CreateNode(TaskSpec spec)
    {
        var pool = spec.Group is null ? _ungrouped : _groups[spec.Group];
        NoteArtifacts(spec);
        var node = new TaskNode(spec, _nextOrder++, pool)
        {
            ClaimResources = ResourcesFor(spec.Claims),
            UseResources = ResourcesFor(spec.Uses),
        };
        foreach (var capability in spec.Provides)
        {
            if (!_providers.TryGetValue(capability, out var list)) _providers[capability] = list = new List<TaskNode>(1);
            list.Add(node);
        }
        return node;
    }

    private Resource[] ResourcesFor(IReadOnlyList<string> names)
    {
        if (names.Count == 0) return [];
        var resources = new Resource[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            if (!_resources.TryGetValue(names[i], out var resource)) _resources[names[i]] = resource = new Resource(names[i]);
            resources[i] = resource;
        }
        return resources;
    }

    /// <summary>
    /// A task is reused when it passed (or warned) in the run we resume from, its definition is unchanged, and
    /// nothing it needs runs again — a changed dependency makes its dependents run again too, as in make.
    /// </summary>
    private void MarkReusable(List<IReadOnlyList<string>> layers, ResumePoint resumeFrom)
    {
        foreach (var layer in layers)
        {
            foreach (var id in layer)
            {
                var node = _nodes[id];
                if (!resumeFrom.Succeeded.TryGetValue(id, out var previous) || previous.DefinitionHash != node.DefinitionHash) continue;
                var depsReused = true;
                foreach (var dep in node.Deps)
                {
                    if (dep.Result is not { Reused: true }) { depsReused = false; break; }
                }
                if (!depsReused) continue;
                // Dependents receive its artifacts, so their content must be at hand; without it the task runs again.
                if (!AdoptArtifacts(previous, resumeFrom.RunId)) continue;
                node.Result = new TaskResult
                {
                    TaskId = id,
                    Outcome = previous.Outcome,
                    Reason = $"reused from run {previous.RunId}",
                    Reused = true,
                    Outputs = previous.Outputs,
                    Artifacts = previous.Artifacts,
                };
            }
        }
    }

    private void Begin()
    {
        var toStart = new List<TaskNode>();
        lock (_lock)
        {
            foreach (var node in _nodes)
            {
                if (node.Result is { Reused: true } reused)
                {
                    node.Result = null;
                    FinishLocked(node, reused);
                }
            }
            // The ungrouped tasks ready at the start come in job order: handing them over at once costs O(n), not O(n log n).
            var ready = new List<TaskNode>();
            foreach (var node in _nodes)
            {
                if (node.State != NodeState.Waiting || node.PendingDeps != 0) continue;
                if (node.Pool != _ungrouped)
                {
                    MakeReadyLocked(node);
                    continue;
                }
                node.State = NodeState.Ready;
                ready.Add(node);
            }
            _ungrouped.Ready.EnqueueRange(ready);
            CollectStartableLocked(toStart);
            CompleteIfDoneLocked();
        }
        _events.Flush(force: true);
        foreach (var node in toStart) Spawn(node);
    }
}
