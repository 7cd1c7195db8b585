namespace Skein.Engine.Tests.Support;

/// <summary>An in-memory journal: keeps what the engine records, and answers --resume from it.</summary>
internal sealed class FakeRunJournal : IRunJournal
{
    private readonly Lock _lock = new();
    private readonly List<RecordedRun> _runs = [];

    internal sealed class RecordedRun(long id, RunRecord record)
    {
        public long Id { get; } = id;
        public RunRecord Record { get; } = record;
        public RunStatus Status { get; set; } = RunStatus.Running;
        public Dictionary<string, TaskRecord> Tasks { get; } = new(StringComparer.Ordinal);
        public List<TaskResult> Finished { get; } = [];
        public List<(string TaskId, int Attempt)> AttemptsStarted { get; } = [];
        public List<(string TaskId, int Attempt, Outcome Outcome)> AttemptsFinished { get; } = [];
    }

    public IReadOnlyList<RecordedRun> Runs
    {
        get { lock (_lock) return [.. _runs]; }
    }

    public ValueTask<long> BeginRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var recorded = new RecordedRun(_runs.Count + 1, run);
            _runs.Add(recorded);
            return ValueTask.FromResult(recorded.Id);
        }
    }

    public void RecordTasks(long runId, IReadOnlyList<TaskRecord> tasks)
    {
        lock (_lock)
        {
            foreach (var task in tasks) Run(runId).Tasks.Add(task.TaskId, task);
        }
    }

    public void RecordAttemptStarted(long runId, string taskId, int attempt, DateTimeOffset startedAt, string? logPath)
    {
        lock (_lock) Run(runId).AttemptsStarted.Add((taskId, attempt));
    }

    public void RecordAttemptFinished(long runId, string taskId, int attempt, Outcome outcome, string? reason, int? exitCode, DateTimeOffset finishedAt)
    {
        lock (_lock) Run(runId).AttemptsFinished.Add((taskId, attempt, outcome));
    }

    public void RecordTaskFinished(long runId, TaskResult result)
    {
        lock (_lock) Run(runId).Finished.Add(result);
    }

    public ValueTask EndRunAsync(long runId, RunStatus status, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        lock (_lock) Run(runId).Status = status;
        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<ResumePoint?> FindResumePointAsync(string jobName, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var latest = _runs.LastOrDefault(r => r.Record.JobName == jobName);
            if (latest is null) return ValueTask.FromResult<ResumePoint?>(null);
            var succeeded = new Dictionary<string, PreviousResult>(StringComparer.Ordinal);
            foreach (var result in latest.Finished)
            {
                if (!result.Outcome.IsSuccess()) continue;
                // A result reused in the latest run keeps pointing at the run that produced it.
                var origin = result.Reused && FindOrigin(result.TaskId, latest.Id) is { } earlier ? earlier : latest.Id;
                succeeded[result.TaskId] = new PreviousResult(latest.Tasks[result.TaskId].DefinitionHash, result.Outcome, origin);
            }
            return ValueTask.FromResult<ResumePoint?>(new ResumePoint(latest.Id, succeeded));
        }
    }

    private long? FindOrigin(string taskId, long before)
    {
        for (var i = (int)before - 2; i >= 0; i--)
        {
            var result = _runs[i].Finished.FirstOrDefault(r => r.TaskId == taskId);
            if (result is { Reused: false }) return _runs[i].Id;
        }
        return null;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private RecordedRun Run(long runId) => _runs[(int)runId - 1];
}
