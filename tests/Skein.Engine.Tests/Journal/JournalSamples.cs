using Microsoft.Data.Sqlite;
using Skein.Engine.Journal;

namespace Skein.Engine.Tests.Journal;

/// <summary>Small runs written through the journal, for the tests that read them back.</summary>
internal static class JournalSamples
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static RunRecord Run(string job = "nightly", long? resumedFrom = null) =>
        new(job, "/jobs/nightly.yaml", T0, resumedFrom, "skein run /jobs/nightly.yaml");

    /// <summary>Records one attempt of a task and its final result, the way the scheduler does for a task that runs once.</summary>
    public static void RecordTask(IRunJournal journal, long runId, string taskId, Outcome outcome, string? reason = null, int? exitCode = null)
    {
        journal.RecordAttemptStarted(runId, taskId, 1, T0, $"/logs/{runId}/{taskId}.1.log");
        journal.RecordAttemptFinished(runId, taskId, 1, outcome, reason, exitCode, T0.AddSeconds(1));
        journal.RecordTaskFinished(runId, new TaskResult
        {
            TaskId = taskId,
            Outcome = outcome,
            Reason = reason,
            Attempts = 1,
            StartedAt = T0,
            Duration = TimeSpan.FromSeconds(1),
            ExitCode = exitCode,
            LogPath = $"/logs/{runId}/{taskId}.1.log",
        });
    }

    /// <summary>Records a result carried over by --resume: no attempt, marked reused.</summary>
    public static void RecordReused(IRunJournal journal, long runId, string taskId, Outcome outcome, long fromRun) =>
        journal.RecordTaskFinished(runId, new TaskResult
        {
            TaskId = taskId,
            Outcome = outcome,
            Reason = $"reused from run {fromRun}",
            Reused = true,
        });

    public static TaskRecord[] Tasks(params string[] ids)
    {
        var tasks = new TaskRecord[ids.Length];
        for (var i = 0; i < ids.Length; i++) tasks[i] = new TaskRecord(ids[i], $"hash-{ids[i]}", null, i);
        return tasks;
    }

    /// <summary>Runs SQL on a journal file through a connection of its own, outside the journal's writer.</summary>
    public static object? Sql(string journalFile, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = journalFile, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
