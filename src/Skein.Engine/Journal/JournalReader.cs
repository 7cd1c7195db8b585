using Microsoft.Data.Sqlite;
using Skein.Engine.Journal.Internal;

namespace Skein.Engine.Journal;

/// <summary>
/// Reads a state directory's journal for <c>skein runs</c>, <c>skein show</c> and <c>skein logs</c>.
/// Opens the file read-only, so it may read while a run is writing.
/// </summary>
public sealed class JournalReader : IAsyncDisposable, IDisposable
{
    private const string RunColumns = """
        id, job_name, status, started_at, ended_at, host, pid, process_started_at,
        n_tasks, n_passed, n_warned, n_skipped, n_failed, n_timed_out, n_errored, n_cancelled,
        job_file, command_line, resumed_from
        """;

    private readonly SqliteConnection _connection;

    // One command at a time on the connection, whoever calls.
    private readonly SemaphoreSlim _gate = new(1, 1);

    private JournalReader(string journalPath, SqliteConnection connection)
    {
        JournalPath = journalPath;
        _connection = connection;
    }

    public string JournalPath { get; }

    /// <summary>True when something has run from <paramref name="stateDirectory"/>: it holds a journal to open.</summary>
    public static bool ExistsIn(string stateDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stateDirectory);
        return File.Exists(JournalConnection.PathIn(stateDirectory));
    }

    /// <exception cref="SkeinException">There is no journal in the directory, or it is not one this Skein can read.</exception>
    public static JournalReader Open(string stateDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stateDirectory);
        var journalPath = JournalConnection.PathIn(stateDirectory);
        if (!File.Exists(journalPath))
            throw new SkeinException($"no journal in {Path.GetDirectoryName(journalPath)}: nothing has run here yet");
        return new JournalReader(journalPath, JournalConnection.OpenForReading(journalPath));
    }

    /// <summary>The latest runs, newest first.</summary>
    /// <param name="jobName">Only runs of this job; null for all.</param>
    public Task<IReadOnlyList<JournalRunSummary>> ListRunsAsync(int limit, string? jobName, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return ReadAsync(async ct =>
        {
            using var command = _connection.CreateCommand();
            command.CommandText = jobName is null
                ? $"SELECT {RunColumns} FROM runs ORDER BY id DESC LIMIT $limit"
                : $"SELECT {RunColumns} FROM runs WHERE job_name = $job ORDER BY id DESC LIMIT $limit";
            command.Parameters.AddWithValue("$limit", limit);
            if (jobName is not null) command.Parameters.AddWithValue("$job", jobName);

            var runs = new List<JournalRunSummary>();
            var stored = new List<RunRow>();
            await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false)) stored.Add(RunRow.Read(reader));
            }
            foreach (var row in stored) runs.Add(await SummarizeAsync(row, ct).ConfigureAwait(false));
            return (IReadOnlyList<JournalRunSummary>)runs;
        }, cancellationToken);
    }

    /// <summary>The id of the latest run, of one job or of any; null when there is none.</summary>
    public Task<long?> GetLatestRunIdAsync(string? jobName, CancellationToken cancellationToken = default) =>
        ReadAsync(ct => LatestRunIdAsync(jobName, ct), cancellationToken);

    /// <summary>A run and every task in it, in job order, with their sub-results.</summary>
    /// <exception cref="SkeinException">There is no such run.</exception>
    public Task<RunDetails> GetRunAsync(long runId, CancellationToken cancellationToken = default) =>
        ReadAsync(async ct =>
        {
            var row = await FindRunAsync(runId, ct).ConfigureAwait(false);
            var subResults = await ReadSubResultsAsync(runId, ct).ConfigureAwait(false);
            var outputs = await ReadOutputsAsync(runId, ct).ConfigureAwait(false);
            var tasks = await ReadTasksAsync(runId, subResults, outputs, ct).ConfigureAwait(false);
            var artifacts = await ReadArtifactsAsync(runId, ct).ConfigureAwait(false);
            if (artifacts.Count > 0)
                tasks = [.. tasks.Select(task => artifacts.TryGetValue(task.TaskId, out var files) ? task with { Artifacts = files } : task)];
            return new RunDetails
            {
                Summary = await SummarizeAsync(row, ct).ConfigureAwait(false),
                JobFile = row.JobFile,
                CommandLine = row.CommandLine,
                ResumedFrom = row.ResumedFrom,
                Host = row.Host,
                ProcessId = row.Pid,
                Tasks = tasks,
            };
        }, cancellationToken);

    /// <summary>Every attempt of a task, first to last, with its log path.</summary>
    /// <exception cref="SkeinException">There is no such run, or no such task in it.</exception>
    public Task<IReadOnlyList<AttemptDetails>> GetAttemptsAsync(long runId, string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        return ReadAsync(async ct =>
        {
            await FindRunAsync(runId, ct).ConfigureAwait(false);
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM tasks WHERE run_id = $run AND task_id = $task";
            command.Parameters.AddWithValue("$run", runId);
            command.Parameters.AddWithValue("$task", taskId);
            var known = (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))! > 0;

            command.CommandText = """
                SELECT attempt, started_at, finished_at, outcome, reason, exit_code, log_path
                FROM attempts WHERE run_id = $run AND task_id = $task ORDER BY attempt
                """;
            var attempts = new List<AttemptDetails>();
            await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    attempts.Add(new AttemptDetails
                    {
                        Attempt = reader.GetInt32(0),
                        StartedAt = Time(reader, 1),
                        FinishedAt = Time(reader, 2),
                        Outcome = ParseOutcome(reader, 3),
                        Reason = Text(reader, 4),
                        ExitCode = reader.IsDBNull(5) ? null : reader.GetInt32(5),
                        LogPath = Text(reader, 6),
                    });
                }
            }
            if (!known && attempts.Count == 0) throw await UnknownTaskAsync(runId, taskId, ct).ConfigureAwait(false);
            return (IReadOnlyList<AttemptDetails>)attempts;
        }, cancellationToken);
    }

    public void Dispose()
    {
        _connection.Dispose();
        _gate.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs one read at a time on the connection, turning storage errors into messages that name the journal.</summary>
    private async Task<T> ReadAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await read(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            throw JournalConnection.Describe(e, JournalPath);
        }
        catch (FormatException e)
        {
            throw new SkeinException($"the journal {JournalPath} holds a value this Skein cannot read: {e.Message}", e);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<RunRow> FindRunAsync(long runId, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT {RunColumns} FROM runs WHERE id = $id";
        command.Parameters.AddWithValue("$id", runId);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return RunRow.Read(reader);
        }
        var latest = await LatestRunIdAsync(null, cancellationToken).ConfigureAwait(false);
        throw new SkeinException(latest is null
            ? $"no run {runId} in the journal (it has no runs yet)"
            : $"no run {runId} in the journal (latest is {latest})");
    }

    private async Task<long?> LatestRunIdAsync(string? jobName, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = jobName is null ? "SELECT max(id) FROM runs" : "SELECT max(id) FROM runs WHERE job_name = $job";
        if (jobName is not null) command.Parameters.AddWithValue("$job", jobName);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
    }

    private async Task<JournalRunSummary> SummarizeAsync(RunRow row, CancellationToken cancellationToken)
    {
        var taskCount = row.TaskCount;
        var counts = row.Counts;
        if (taskCount is null)
        {
            // Only a run that has not ended lacks stored counts: count its tasks as they stand now.
            using var command = _connection.CreateCommand();
            command.CommandText = JournalSchema.OutcomeCountsSelect + " WHERE run_id = $run";
            command.Parameters.AddWithValue("$run", row.Id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            taskCount = reader.GetInt32(0);
            counts = new OutcomeCounts(reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4),
                reader.GetInt32(5), reader.GetInt32(6), reader.GetInt32(7));
        }

        var state = RunStatusText.Parse(row.Status) switch
        {
            RunStatus.Running => ProcessIdentity.IsAlive(row.Host, row.Pid, row.ProcessStartedAtMs) ? RunState.Running : RunState.Interrupted,
            RunStatus.Passed => RunState.Passed,
            RunStatus.Failed => RunState.Failed,
            RunStatus.Cancelled => RunState.Cancelled,
            var other => throw new FormatException($"run {row.Id} has an unknown status '{other}'"),
        };

        return new JournalRunSummary
        {
            Id = row.Id,
            JobName = row.JobName,
            State = state,
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(row.StartedAtMs),
            EndedAt = row.EndedAtMs is { } ended ? DateTimeOffset.FromUnixTimeMilliseconds(ended) : null,
            TaskCount = taskCount.Value,
            Counts = counts,
        };
    }

    private async Task<Dictionary<string, List<SubResult>>> ReadSubResultsAsync(long runId, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT task_id, name, outcome, message FROM sub_results WHERE run_id = $run ORDER BY task_id, seq";
        command.Parameters.AddWithValue("$run", runId);
        var byTask = new Dictionary<string, List<SubResult>>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var taskId = reader.GetString(0);
            if (!byTask.TryGetValue(taskId, out var list)) byTask[taskId] = list = [];
            list.Add(new SubResult(reader.GetString(1), OutcomeExtensions.Parse(reader.GetString(2)), Text(reader, 3)));
        }
        return byTask;
    }

    /// <summary>Each task's outputs; none from a journal written before outputs existed (it has no such table).</summary>
    private async Task<Dictionary<string, Dictionary<string, string>>> ReadOutputsAsync(long runId, CancellationToken cancellationToken)
    {
        var byTask = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'outputs'";
        if ((long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 0) return byTask;

        command.CommandText = "SELECT task_id, name, value FROM outputs WHERE run_id = $run ORDER BY task_id, name";
        command.Parameters.AddWithValue("$run", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var taskId = reader.GetString(0);
            if (!byTask.TryGetValue(taskId, out var values)) byTask[taskId] = values = new Dictionary<string, string>(StringComparer.Ordinal);
            values[reader.GetString(1)] = reader.GetString(2);
        }
        return byTask;
    }

    /// <summary>Each task's artifacts in path order; none from a journal written before artifacts existed (it has no such table).</summary>
    private async Task<Dictionary<string, List<ArtifactFile>>> ReadArtifactsAsync(long runId, CancellationToken cancellationToken)
    {
        var byTask = new Dictionary<string, List<ArtifactFile>>(StringComparer.Ordinal);
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'artifacts'";
        if ((long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 0) return byTask;

        command.CommandText = "SELECT task_id, path, size, sha256 FROM artifacts WHERE run_id = $run ORDER BY task_id, path";
        command.Parameters.AddWithValue("$run", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var taskId = reader.GetString(0);
            if (!byTask.TryGetValue(taskId, out var files)) byTask[taskId] = files = [];
            files.Add(new ArtifactFile(reader.GetString(1), reader.GetInt64(2), reader.GetString(3)));
        }
        return byTask;
    }

    private async Task<IReadOnlyList<TaskDetails>> ReadTasksAsync(
        long runId, Dictionary<string, List<SubResult>> subResults, Dictionary<string, Dictionary<string, string>> outputs, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT task_id, ord, grp, definition_hash, state, outcome, reason, attempts, started_at, duration_ms,
                   exit_code, log_path, reused, reused_from
            FROM tasks WHERE run_id = $run
            ORDER BY ord IS NULL, ord, task_id
            """;
        command.Parameters.AddWithValue("$run", runId);
        var tasks = new List<TaskDetails>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var taskId = reader.GetString(0);
            tasks.Add(new TaskDetails
            {
                TaskId = taskId,
                Order = reader.IsDBNull(1) ? null : reader.GetInt32(1),
                Group = Text(reader, 2),
                DefinitionHash = Text(reader, 3),
                Progress = reader.GetString(4) switch
                {
                    "pending" => TaskProgress.Pending,
                    "running" => TaskProgress.Running,
                    "finished" => TaskProgress.Finished,
                    var other => throw new FormatException($"task '{taskId}' of run {runId} has an unknown state '{other}'"),
                },
                Outcome = ParseOutcome(reader, 5),
                Reason = Text(reader, 6),
                Attempts = reader.GetInt32(7),
                StartedAt = Time(reader, 8),
                Duration = reader.IsDBNull(9) ? null : TimeSpan.FromMilliseconds(reader.GetDouble(9)),
                ExitCode = reader.IsDBNull(10) ? null : reader.GetInt32(10),
                LogPath = Text(reader, 11),
                Reused = reader.GetInt64(12) != 0,
                ReusedFrom = reader.IsDBNull(13) ? null : reader.GetInt64(13),
                SubResults = subResults.TryGetValue(taskId, out var subs) ? subs : [],
                Outputs = outputs.TryGetValue(taskId, out var values) ? values : TaskOutputs.None,
            });
        }
        return tasks;
    }

    private async Task<SkeinException> UnknownTaskAsync(long runId, string taskId, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT task_id FROM tasks WHERE run_id = $run";
        command.Parameters.AddWithValue("$run", runId);
        var ids = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) ids.Add(reader.GetString(0));
        }
        var close = CloseNames.Find(taskId, ids);
        var hint = close.Count > 0
            ? $"; did you mean {string.Join(", ", close.Select(id => $"'{id}'"))}?"
            : ids.Count == 0 ? "; the run has no tasks" : "";
        return new SkeinException($"no task '{taskId}' in run {runId}{hint}");
    }

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static Outcome? ParseOutcome(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : OutcomeExtensions.Parse(reader.GetString(ordinal));
}
