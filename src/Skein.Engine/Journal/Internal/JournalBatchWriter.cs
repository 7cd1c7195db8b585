using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Skein.Engine.Journal.Internal;

/// <summary>
/// Writes a batch of queued events in one transaction through statements prepared once. Owned by the writer loop:
/// one thread at a time, never concurrently.
/// </summary>
internal sealed class JournalBatchWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly PreparedStatement[] _statements;

    private readonly PreparedStatement _begin;
    private readonly PreparedStatement _commit;
    private readonly PreparedStatement _rollback;

    private readonly PreparedStatement _insertRun;
    private readonly PreparedStatement _upsertDefinition;
    private readonly PreparedStatement _upsertAttempt;
    private readonly PreparedStatement _markRunning;
    private readonly PreparedStatement _finishTask;
    private readonly PreparedStatement _insertFinishedTask;
    private readonly PreparedStatement _upsertSubResult;
    private readonly PreparedStatement _upsertOutput;
    private readonly PreparedStatement _succeededOutputs;
    private readonly PreparedStatement _upsertArtifact;
    private readonly PreparedStatement _succeededArtifacts;
    private readonly PreparedStatement _endRun;
    private readonly PreparedStatement _synchronousFull;
    private readonly PreparedStatement _synchronousNormal;
    private readonly PreparedStatement _latestRun;
    private readonly PreparedStatement _succeededTasks;

    // Per-batch coalescing state, cleared (keeping its capacity) after every batch.
    private readonly Dictionary<AttemptKey, int> _attemptIndex = [];
    private readonly List<AttemptRow> _attempts = [];
    private readonly Dictionary<TaskKey, int> _taskIndex = [];
    private readonly List<TaskRow> _tasks = [];

    public JournalBatchWriter(SqliteConnection connection)
    {
        _connection = connection;

        // IMMEDIATE: the write lock is taken up front, so a batch never fails half-way for want of it.
        _begin = new(connection, "BEGIN IMMEDIATE");
        _commit = new(connection, "COMMIT");
        _rollback = new(connection, "ROLLBACK");

        _insertRun = new(connection, """
            INSERT INTO runs (job_name, job_file, status, started_at, resumed_from, command_line, host, pid, process_started_at)
            VALUES ($job, $file, 'running', $started, $resumed, $command, $host, $pid, $process_started)
            RETURNING id
            """, "$job", "$file", "$started", "$resumed", "$command", "$host", "$pid", "$process_started");

        _upsertDefinition = new(connection, """
            INSERT INTO tasks (run_id, task_id, ord, definition_hash, grp, state)
            VALUES ($run, $task, $ord, $hash, $group, 'pending')
            ON CONFLICT (run_id, task_id) DO UPDATE SET
                ord = excluded.ord, definition_hash = excluded.definition_hash, grp = excluded.grp
            """, "$run", "$task", "$ord", "$hash", "$group");

        // One statement for a start, a finish, or both: whichever columns this batch knows are filled in.
        _upsertAttempt = new(connection, """
            INSERT INTO attempts (run_id, task_id, attempt, started_at, log_path, finished_at, outcome, reason, exit_code)
            VALUES ($run, $task, $attempt, $started, $log, $finished, $outcome, $reason, $exit)
            ON CONFLICT (run_id, task_id, attempt) DO UPDATE SET
                started_at  = coalesce(excluded.started_at, started_at),
                log_path    = coalesce(excluded.log_path, log_path),
                finished_at = coalesce(excluded.finished_at, finished_at),
                outcome     = coalesce(excluded.outcome, outcome),
                reason      = coalesce(excluded.reason, reason),
                exit_code   = coalesce(excluded.exit_code, exit_code)
            """, "$run", "$task", "$attempt", "$started", "$log", "$finished", "$outcome", "$reason", "$exit");

        _markRunning = new(connection, """
            INSERT INTO tasks (run_id, task_id, state, attempts, started_at, log_path)
            VALUES ($run, $task, 'running', $attempt, $started, $log)
            ON CONFLICT (run_id, task_id) DO UPDATE SET
                state      = 'running',
                attempts   = max(attempts, excluded.attempts),
                started_at = coalesce(started_at, excluded.started_at),
                log_path   = coalesce(excluded.log_path, log_path)
            WHERE state <> 'finished'
            """, "$run", "$task", "$attempt", "$started", "$log");

        // A reused result remembers the run it really comes from, following earlier resumes back to it,
        // so that resuming a resumed run still points at the run that did the work.
        const string reusedFrom = """
            CASE WHEN $reused THEN coalesce(
                (SELECT coalesce(p.reused_from, p.run_id) FROM tasks p
                 WHERE p.run_id = (SELECT resumed_from FROM runs WHERE id = $run) AND p.task_id = $task
                   AND p.outcome IN ('passed', 'warned')),
                (SELECT resumed_from FROM runs WHERE id = $run)) END
            """;
        // The task's definition row is there (written when the run began or the task was added): one update.
        _finishTask = new(connection, $"""
            UPDATE tasks SET
                state = 'finished', outcome = $outcome, reason = $reason, attempts = $attempts, started_at = $started,
                duration_ms = $duration, exit_code = $exit, log_path = $log, reused = $reused, reused_from = {reusedFrom}
            WHERE run_id = $run AND task_id = $task
            """, "$run", "$task", "$outcome", "$reason", "$attempts", "$started", "$duration", "$exit", "$log", "$reused");
        // A task the journal was never told about still gets its row.
        _insertFinishedTask = new(connection, $"""
            INSERT INTO tasks (run_id, task_id, state, outcome, reason, attempts, started_at, duration_ms, exit_code, log_path, reused, reused_from)
            VALUES ($run, $task, 'finished', $outcome, $reason, $attempts, $started, $duration, $exit, $log, $reused, {reusedFrom})
            """, "$run", "$task", "$outcome", "$reason", "$attempts", "$started", "$duration", "$exit", "$log", "$reused");

        _upsertSubResult = new(connection, """
            INSERT OR REPLACE INTO sub_results (run_id, task_id, seq, name, outcome, message)
            VALUES ($run, $task, $seq, $name, $outcome, $message)
            """, "$run", "$task", "$seq", "$name", "$outcome", "$message");

        _upsertOutput = new(connection, """
            INSERT OR REPLACE INTO outputs (run_id, task_id, name, value) VALUES ($run, $task, $name, $value)
            """, "$run", "$task", "$name", "$value");

        // The counts are kept with the run once it ends, so listing runs never scans their tasks.
        _endRun = new(connection, $"""
            UPDATE runs SET status = $status, ended_at = $ended,
                (n_tasks, n_passed, n_warned, n_skipped, n_failed, n_timed_out, n_errored, n_cancelled) =
                ({JournalSchema.OutcomeCountsSelect} WHERE run_id = $run)
            WHERE id = $run
            """, "$run", "$status", "$ended");

        _synchronousFull = new(connection, "PRAGMA synchronous = FULL");
        _synchronousNormal = new(connection, "PRAGMA synchronous = NORMAL");

        _latestRun = new(connection, "SELECT max(id) FROM runs WHERE job_name = $job", "$job");
        _succeededTasks = new(connection, """
            SELECT task_id, definition_hash, outcome, coalesce(reused_from, run_id)
            FROM tasks WHERE run_id = $run AND outcome IN ('passed', 'warned')
            """, "$run");

        _succeededOutputs = new(connection, """
            SELECT o.task_id, o.name, o.value FROM outputs o
            JOIN tasks t ON t.run_id = o.run_id AND t.task_id = o.task_id
            WHERE o.run_id = $run AND t.outcome IN ('passed', 'warned')
            """, "$run");

        _upsertArtifact = new(connection, """
            INSERT OR REPLACE INTO artifacts (run_id, task_id, path, size, sha256) VALUES ($run, $task, $path, $size, $sha)
            """, "$run", "$task", "$path", "$size", "$sha");

        _succeededArtifacts = new(connection, """
            SELECT a.task_id, a.path, a.size, a.sha256 FROM artifacts a
            JOIN tasks t ON t.run_id = a.run_id AND t.task_id = a.task_id
            WHERE a.run_id = $run AND t.outcome IN ('passed', 'warned')
            ORDER BY a.task_id, a.path
            """, "$run");

        _statements =
        [
            _begin, _commit, _rollback, _insertRun, _upsertDefinition, _upsertAttempt, _markRunning, _finishTask, _insertFinishedTask,
            _upsertSubResult,
            _upsertOutput, _upsertArtifact, _endRun, _synchronousFull, _synchronousNormal, _latestRun, _succeededTasks,
            _succeededOutputs, _succeededArtifacts,
        ];
    }

    /// <summary>Writes the batch in one transaction, or throws and writes none of it.</summary>
    /// <remarks>
    /// Statements go in phases (runs, definitions, attempts, task states, run ends) rather than in queue order.
    /// Within one transaction only the dependencies matter, and every one points to an earlier phase:
    /// a run's id reaches its caller only after the batch that created it commits.
    /// </remarks>
    public void Write(List<JournalEntry> batch)
    {
        var shape = Coalesce(batch);
        try
        {
            if (!shape.HasWrites) return;
            // The commit that ends a run is the one a user relies on after a power cut, so it alone pays for an fsync.
            if (shape.EndsRun) _synchronousFull.Execute();
            _begin.Execute();
            try
            {
                var entries = CollectionsMarshal.AsSpan(batch);
                if (shape.BeginsRun) WriteRuns(entries);
                if (shape.DefinesTasks) WriteDefinitions(entries);
                WriteAttempts();
                WriteTasks();
                if (shape.EndsRun) WriteRunEnds(entries);
                _commit.Execute();
            }
            catch
            {
                // SQLite may have rolled back already (a full disk does); otherwise the batch is undone here.
                if (raw.sqlite3_get_autocommit(_connection.Handle) == 0) _rollback.Execute();
                throw;
            }
        }
        finally
        {
            if (shape.EndsRun) _synchronousNormal.Execute();
            _attemptIndex.Clear();
            _attempts.Clear();
            _taskIndex.Clear();
            _tasks.Clear();
        }
    }

    /// <summary>The latest run of a job and what passed in it; reads through this connection, so it sees every committed batch.</summary>
    public ResumePoint? FindResumePoint(string jobName)
    {
        _latestRun.Set(0, jobName);
        if (_latestRun.ScalarInt64() is not { } runId) return null;

        try
        {
            return ReadResumePoint(runId);
        }
        finally
        {
            // A query that failed half-way must not keep its read snapshot open.
            _succeededTasks.Reset();
            _succeededOutputs.Reset();
            _succeededArtifacts.Reset();
        }
    }

    private ResumePoint ReadResumePoint(long runId)
    {
        var succeeded = new Dictionary<string, PreviousResult>(StringComparer.Ordinal);
        var query = _succeededTasks;
        query.Set(0, runId);
        while (query.Read())
        {
            var hash = query.IsNull(1) ? "" : query.GetString(1);
            succeeded[query.GetString(0)] = new PreviousResult(hash, OutcomeExtensions.Parse(query.GetString(2)), query.GetInt64(3));
        }

        // A reused task's dependents read its outputs, so they come along with it.
        var outputs = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        query = _succeededOutputs;
        query.Set(0, runId);
        while (query.Read())
        {
            var taskId = query.GetString(0);
            if (!outputs.TryGetValue(taskId, out var values)) outputs[taskId] = values = new Dictionary<string, string>(StringComparer.Ordinal);
            values[query.GetString(1)] = query.GetString(2);
        }
        foreach (var (taskId, values) in outputs)
        {
            if (succeeded.TryGetValue(taskId, out var previous)) succeeded[taskId] = previous with { Outputs = values };
        }

        // And so do its artifacts, which its dependents receive.
        var artifacts = new Dictionary<string, List<ArtifactFile>>(StringComparer.Ordinal);
        query = _succeededArtifacts;
        query.Set(0, runId);
        while (query.Read())
        {
            var taskId = query.GetString(0);
            if (!artifacts.TryGetValue(taskId, out var files)) artifacts[taskId] = files = [];
            files.Add(new ArtifactFile(query.GetString(1), query.GetInt64(2), query.GetString(3)));
        }
        foreach (var (taskId, files) in artifacts)
        {
            if (succeeded.TryGetValue(taskId, out var previous)) succeeded[taskId] = previous with { Artifacts = files };
        }
        return new ResumePoint(runId, succeeded);
    }

    private BatchShape Coalesce(List<JournalEntry> batch)
    {
        var shape = default(BatchShape);
        foreach (ref readonly var entry in CollectionsMarshal.AsSpan(batch))
        {
            switch (entry.Kind)
            {
                case EntryKind.BeginRun:
                    shape.BeginsRun = true;
                    break;
                case EntryKind.Tasks:
                    shape.DefinesTasks = true;
                    break;
                case EntryKind.AttemptStarted:
                {
                    ref var attempt = ref AttemptFor(entry.RunId, entry.TaskId!, entry.Number);
                    attempt.StartedAtMs = entry.TimeMs;
                    attempt.LogPath = entry.Text;
                    ref var task = ref TaskFor(entry.RunId, entry.TaskId!);
                    task.LatestAttempt = Math.Max(task.LatestAttempt, entry.Number);
                    task.FirstStartedAtMs ??= entry.TimeMs;
                    if (entry.Text is not null) task.LogPath = entry.Text;
                    break;
                }
                case EntryKind.AttemptFinished:
                {
                    ref var attempt = ref AttemptFor(entry.RunId, entry.TaskId!, entry.Number);
                    attempt.FinishedAtMs = entry.TimeMs;
                    attempt.Outcome = entry.Outcome;
                    attempt.Reason = entry.Text;
                    attempt.ExitCode = entry.ExitCode;
                    break;
                }
                case EntryKind.TaskFinished:
                    TaskFor(entry.RunId, entry.TaskId!).Final = (TaskResult)entry.Payload!;
                    break;
                case EntryKind.EndRun:
                    shape.EndsRun = true;
                    break;
            }
        }
        shape.HasWrites = shape.BeginsRun || shape.DefinesTasks || shape.EndsRun || _attempts.Count > 0 || _tasks.Count > 0;
        return shape;
    }

    private ref AttemptRow AttemptFor(long runId, string taskId, int attempt)
    {
        ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(_attemptIndex, new AttemptKey(runId, taskId, attempt), out var exists);
        if (!exists)
        {
            index = _attempts.Count;
            _attempts.Add(new AttemptRow { RunId = runId, TaskId = taskId, Attempt = attempt });
        }
        return ref CollectionsMarshal.AsSpan(_attempts)[index];
    }

    private ref TaskRow TaskFor(long runId, string taskId)
    {
        ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(_taskIndex, new TaskKey(runId, taskId), out var exists);
        if (!exists)
        {
            index = _tasks.Count;
            _tasks.Add(new TaskRow { RunId = runId, TaskId = taskId });
        }
        return ref CollectionsMarshal.AsSpan(_tasks)[index];
    }

    private void WriteRuns(ReadOnlySpan<JournalEntry> entries)
    {
        var statement = _insertRun;
        foreach (ref readonly var entry in entries)
        {
            if (entry.Kind != EntryKind.BeginRun) continue;
            var request = (BeginRunRequest)entry.Payload!;
            var run = request.Run;
            statement.Set(0, run.JobName);
            statement.Set(1, run.JobFile);
            statement.Set(2, run.StartedAt.ToUnixTimeMilliseconds());
            statement.Set(3, run.ResumedFrom);
            statement.Set(4, run.CommandLine);
            statement.Set(5, ProcessIdentity.Host);
            statement.Set(6, (long)ProcessIdentity.Pid);
            statement.Set(7, ProcessIdentity.StartedAtMs);
            request.AssignedId = statement.ScalarInt64() ?? throw new InvalidOperationException("Inserting a run returned no id.");
        }
    }

    private void WriteDefinitions(ReadOnlySpan<JournalEntry> entries)
    {
        var statement = _upsertDefinition;
        foreach (ref readonly var entry in entries)
        {
            if (entry.Kind != EntryKind.Tasks) continue;
            statement.Set(0, entry.RunId);
            foreach (var task in (TaskRecord[])entry.Payload!)
            {
                statement.Set(1, task.TaskId);
                statement.Set(2, (long)task.Order);
                statement.Set(3, task.DefinitionHash);
                statement.Set(4, task.Group);
                statement.Execute();
            }
        }
    }

    private void WriteAttempts()
    {
        var statement = _upsertAttempt;
        foreach (ref readonly var row in CollectionsMarshal.AsSpan(_attempts))
        {
            statement.Set(0, row.RunId);
            statement.Set(1, row.TaskId);
            statement.Set(2, (long)row.Attempt);
            statement.Set(3, row.StartedAtMs);
            statement.Set(4, row.LogPath);
            statement.Set(5, row.FinishedAtMs);
            statement.Set(6, row.Outcome?.ToWireName());
            statement.Set(7, row.Reason);
            statement.Set(8, row.ExitCode);
            statement.Execute();
        }
    }

    private void WriteTasks()
    {
        foreach (ref readonly var row in CollectionsMarshal.AsSpan(_tasks))
        {
            if (row.Final is { } result)
            {
                WriteFinished(row.RunId, result);
            }
            else if (row.LatestAttempt > 0)
            {
                var statement = _markRunning;
                statement.Set(0, row.RunId);
                statement.Set(1, row.TaskId);
                statement.Set(2, (long)row.LatestAttempt);
                statement.Set(3, row.FirstStartedAtMs);
                statement.Set(4, row.LogPath);
                statement.Execute();
            }
        }
    }

    private void WriteFinished(long runId, TaskResult result)
    {
        if (Finish(_finishTask, runId, result) == 0) Finish(_insertFinishedTask, runId, result);
        WriteOutputs(runId, result);
        WriteArtifacts(runId, result);
        var subResults = result.SubResults;
        if (subResults.Count == 0) return;
        var sub = _upsertSubResult;
        sub.Set(0, runId);
        sub.Set(1, result.TaskId);
        for (var i = 0; i < subResults.Count; i++)
        {
            sub.Set(2, (long)i);
            sub.Set(3, subResults[i].Name);
            sub.Set(4, subResults[i].Outcome.ToWireName());
            sub.Set(5, subResults[i].Message);
            sub.Execute();
        }
    }

    /// <returns>The rows changed.</returns>
    private static int Finish(PreparedStatement statement, long runId, TaskResult result)
    {
        statement.Set(0, runId);
        statement.Set(1, result.TaskId);
        statement.Set(2, result.Outcome.ToWireName());
        statement.Set(3, result.Reason);
        statement.Set(4, (long)result.Attempts);
        statement.Set(5, result.StartedAt?.ToUnixTimeMilliseconds());
        statement.Set(6, result.Duration.TotalMilliseconds);
        statement.Set(7, result.ExitCode);
        statement.Set(8, result.LogPath);
        statement.Set(9, result.Reused);
        return statement.Execute();
    }

    private void WriteOutputs(long runId, TaskResult result)
    {
        if (result.Outputs.Count == 0) return;
        var statement = _upsertOutput;
        statement.Set(0, runId);
        statement.Set(1, result.TaskId);
        foreach (var (name, value) in result.Outputs)
        {
            statement.Set(2, name);
            statement.Set(3, value);
            statement.Execute();
        }
    }

    private void WriteArtifacts(long runId, TaskResult result)
    {
        if (result.Artifacts.Count == 0) return;
        var statement = _upsertArtifact;
        statement.Set(0, runId);
        statement.Set(1, result.TaskId);
        foreach (var file in result.Artifacts)
        {
            statement.Set(2, file.Path);
            statement.Set(3, file.Size);
            statement.Set(4, file.Sha256);
            statement.Execute();
        }
    }

    private void WriteRunEnds(ReadOnlySpan<JournalEntry> entries)
    {
        var statement = _endRun;
        foreach (ref readonly var entry in entries)
        {
            if (entry.Kind != EntryKind.EndRun) continue;
            statement.Set(0, entry.RunId);
            statement.Set(1, RunStatusText.ToText((RunStatus)entry.Number));
            statement.Set(2, entry.TimeMs);
            statement.Execute();
        }
    }

    public void Dispose()
    {
        foreach (var statement in _statements) statement.Dispose();
        try
        {
            // Lets the query planner keep statistics for the reader's queries; cheap when little changed.
            using var optimize = _connection.CreateCommand();
            optimize.CommandText = "PRAGMA optimize";
            optimize.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // Closing must not fail because a last optimisation could not run (a full disk, a lock held elsewhere).
        }
        _connection.Dispose();
    }

    private struct BatchShape
    {
        public bool HasWrites;
        public bool BeginsRun;
        public bool DefinesTasks;
        public bool EndsRun;
    }
}
