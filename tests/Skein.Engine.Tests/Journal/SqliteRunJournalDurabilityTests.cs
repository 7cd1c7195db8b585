using Microsoft.Data.Sqlite;
using Skein.Engine.Journal;
using static Skein.Engine.Tests.Journal.JournalSamples;

namespace Skein.Engine.Tests.Journal;

public sealed class SqliteRunJournalDurabilityTests : IDisposable
{
    private readonly TempStateDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task After_a_flush_another_connection_sees_every_event_recorded_before_it()
    {
        await using var journal = SqliteRunJournal.Open(_dir.State);
        var runId = await journal.BeginRunAsync(Run(), Ct);
        for (var i = 0; i < 500; i++) RecordTask(journal, runId, $"t{i}", Outcome.Passed);
        await journal.FlushAsync(Ct);

        Assert.Equal(500L, Sql(_dir.JournalFile, $"SELECT count(*) FROM tasks WHERE run_id = {runId} AND state = 'finished'"));
        Assert.Equal(500L, Sql(_dir.JournalFile, $"SELECT count(*) FROM attempts WHERE run_id = {runId} AND finished_at IS NOT NULL"));
        Assert.Equal("running", Sql(_dir.JournalFile, $"SELECT status FROM runs WHERE id = {runId}"));

        await journal.EndRunAsync(runId, RunStatus.Passed, T0.AddSeconds(1), Ct);
        Assert.Equal("passed", Sql(_dir.JournalFile, $"SELECT status FROM runs WHERE id = {runId}"));
        Assert.Equal(500L, Sql(_dir.JournalFile, $"SELECT n_passed FROM runs WHERE id = {runId}"));
    }

    [Fact]
    public async Task The_files_of_a_journal_cut_off_mid_write_read_back_consistent_and_keep_every_flushed_event()
    {
        // What a kill -9 leaves is the database and its WAL as they are on disk at that instant. Copying them while
        // the writer is busy captures such instants, often with a transaction half-appended to the WAL. Checkpoints
        // are turned off so the database file cannot change between copying it and copying its WAL, which a crash
        // could never produce.
        const int tasks = 60_000;
        var journal = SqliteRunJournal.Open(_dir.State, c => Pragma(c, "PRAGMA wal_autocheckpoint = 0"));
        var runId = await journal.BeginRunAsync(Run(), Ct);
        journal.RecordTasks(runId, Tasks(Enumerable.Range(0, tasks).Select(i => $"t{i}").ToArray()));
        await journal.FlushAsync(Ct);
        var flushed = 0;
        using var producing = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < tasks && !producing.IsCancellationRequested; i++)
            {
                RecordTask(journal, runId, $"t{i}", Outcome.Passed);
                if (i % 500 == 499)
                {
                    await journal.FlushAsync(Ct);
                    Volatile.Write(ref flushed, i + 1);
                }
            }
        }, Ct);

        var snapshots = 0;
        do
        {
            var confirmed = Volatile.Read(ref flushed);
            var copy = Path.Combine(_dir.Root, $"snapshot-{snapshots++}");
            Directory.CreateDirectory(copy);
            File.Copy(_dir.JournalFile, Path.Combine(copy, "journal.db"));
            if (File.Exists(_dir.JournalFile + "-wal")) File.Copy(_dir.JournalFile + "-wal", Path.Combine(copy, "journal.db-wal"));

            await using var reader = JournalReader.Open(copy);
            var run = await reader.GetRunAsync(runId, Ct);
            Assert.Equal(tasks, run.Summary.TaskCount);
            var finished = run.Tasks.Where(t => t.Progress == TaskProgress.Finished).ToList();
            Assert.True(finished.Count >= confirmed, $"{finished.Count} finished tasks in the copy, {confirmed} flushed before it");
            // Events commit in the order they were recorded: a finished task's attempt is never missing.
            var finishedAttempts = (long)Sql(Path.Combine(copy, "journal.db"),
                $"SELECT count(*) FROM attempts WHERE run_id = {runId} AND finished_at IS NOT NULL")!;
            Assert.True(finishedAttempts >= finished.Count);
            Assert.Equal("ok", Sql(Path.Combine(copy, "journal.db"), "PRAGMA integrity_check"));
        }
        while (!producer.IsCompleted && snapshots < 8);

        producing.Cancel();
        await producer;
        await journal.DisposeAsync();
    }

    [Fact]
    public async Task A_failed_write_is_thrown_by_the_next_flush_and_every_one_after()
    {
        // A database that may not grow is a disk that is full.
        var journal = SqliteRunJournal.Open(_dir.State, LimitGrowth);
        var runId = await journal.BeginRunAsync(Run(), Ct);
        var reason = new string('x', 2_000);
        for (var i = 0; i < 200; i++) RecordTask(journal, runId, $"t{i}", Outcome.Failed, reason);

        var e = await Assert.ThrowsAsync<SkeinException>(() => journal.FlushAsync(Ct).AsTask());
        Assert.Contains(_dir.JournalFile, e.Message);
        Assert.Contains("disk is full", e.Message);
        var cause = Assert.IsType<SqliteException>(e.InnerException);
        Assert.Equal(SQLitePCL.raw.SQLITE_FULL, cause.SqliteErrorCode);

        RecordTask(journal, runId, "later", Outcome.Passed);
        await Assert.ThrowsAsync<SkeinException>(() => journal.FlushAsync(Ct).AsTask());
        await Assert.ThrowsAsync<SkeinException>(() => journal.EndRunAsync(runId, RunStatus.Failed, T0, Ct).AsTask());
        await Assert.ThrowsAsync<SkeinException>(() => journal.FindResumePointAsync("nightly", Ct).AsTask());
        // Already reported: closing does not throw it again.
        await journal.DisposeAsync();
    }

    [Fact]
    public async Task A_failed_write_nobody_flushed_after_is_thrown_on_dispose()
    {
        var journal = SqliteRunJournal.Open(_dir.State, LimitGrowth);
        var runId = await journal.BeginRunAsync(Run(), Ct);
        var reason = new string('x', 2_000);
        for (var i = 0; i < 200; i++) RecordTask(journal, runId, $"t{i}", Outcome.Failed, reason);

        var e = await Assert.ThrowsAsync<SkeinException>(() => journal.DisposeAsync().AsTask());
        Assert.IsType<SqliteException>(e.InnerException);
    }

    private static void LimitGrowth(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_count";
        var pages = (long)command.ExecuteScalar()!;
        Pragma(connection, $"PRAGMA max_page_count = {pages + 4}");
    }

    private static void Pragma(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
