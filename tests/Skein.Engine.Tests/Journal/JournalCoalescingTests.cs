using Microsoft.Data.Sqlite;
using Skein.Engine.Journal;
using Skein.Engine.Tests.Support;
using static Skein.Engine.Tests.Journal.JournalSamples;

namespace Skein.Engine.Tests.Journal;

/// <summary>
/// The writer folds what one batch learns about an attempt (its start, its end) into one row and a task's result into
/// one update of its definition row. What it writes must read back as if every event had been written on its own,
/// and a run abandoned part-way must resume from what was committed, as before.
/// </summary>
public sealed class JournalCoalescingTests : IDisposable
{
    private readonly TempStateDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_run_leaves_one_row_per_attempt_with_its_start_and_end_and_every_task_finished_over_its_definition()
    {
        const int tasks = 300;
        var job = new Job("coalesced");
        for (var i = 0; i < tasks; i++) job.Add(new TaskSpec { Id = $"t{i}", Action = DelegateAction.From(_ => 1) });
        job.Add(new TaskSpec { Id = "flaky", Retries = 1, Action = DelegateAction.From(ctx => ctx.Attempt == 1 ? throw new IOException("first try") : 1) });
        job.Add(new TaskSpec { Id = "broken", Action = DelegateAction.From(_ => throw new InvalidOperationException("always")) });

        long runId;
        Dictionary<string, TaskResult> results;
        await using (var journal = SqliteRunJournal.Open(_dir.State))
        {
            await using var run = await JobRun.StartAsync(job, new RunOptions { Workers = 2, StateDirectory = _dir.State, Journal = journal }, Ct);
            runId = run.RunId;
            var (events, _) = await Runs.DrainWithinAsync(run);
            results = events.Results().ToDictionary(r => r.TaskId);
        }

        var file = _dir.JournalFile;
        Assert.Equal((long)tasks + 3, Sql(file, $"SELECT count(*) FROM attempts WHERE run_id = {runId}"));
        Assert.Equal(0L, Sql(file, $"SELECT count(*) FROM attempts WHERE run_id = {runId} AND (started_at IS NULL OR finished_at IS NULL OR outcome IS NULL OR log_path IS NULL)"));
        Assert.Equal((long)tasks + 2, Sql(file, $"SELECT count(*) FROM tasks WHERE run_id = {runId} AND state = 'finished' AND definition_hash IS NOT NULL AND ord IS NOT NULL"));
        Assert.Equal((long)tasks + 2, Sql(file, $"SELECT count(*) FROM tasks WHERE run_id = {runId}"));
        Assert.Equal("failed", Sql(file, $"SELECT status FROM runs WHERE id = {runId}"));
        Assert.Equal((long)tasks + 1, Sql(file, $"SELECT n_passed FROM runs WHERE id = {runId}"));

        await using var reader = JournalReader.Open(_dir.State);
        var flaky = await reader.GetAttemptsAsync(runId, "flaky", Ct);
        Assert.Equal(new[] { 1, 2 }, flaky.Select(a => a.Attempt));
        Assert.Equal(Outcome.Failed, flaky[0].Outcome);
        Assert.Contains("first try", flaky[0].Reason);
        Assert.Equal(Outcome.Passed, flaky[1].Outcome);
        Assert.All(flaky, a => Assert.NotNull(a.FinishedAt));
        var details = await reader.GetRunAsync(runId, Ct);
        var flakyTask = details.Tasks.Single(t => t.TaskId == "flaky");
        Assert.Equal(2, flakyTask.Attempts);
        Assert.Equal(results["flaky"].LogPath, flakyTask.LogPath);
        Assert.Equal(Outcome.Failed, details.Tasks.Single(t => t.TaskId == "broken").Outcome);
    }

    [Fact]
    public async Task A_run_abandoned_part_way_resumes_from_the_tasks_it_committed()
    {
        // A crash leaves the journal's files as they are on disk. Here the run is still going (one task waits for
        // ever) when they are copied: the copy is what a kill -9 at that instant would leave.
        var release = Runs.NewSignal();
        var job = Job(blocker: async ct => await release.Task.WaitAsync(ct));
        var copy = Path.Combine(_dir.Root, "crashed");
        long runId;
        await using (var journal = SqliteRunJournal.Open(_dir.State, c => Pragma(c, "PRAGMA wal_autocheckpoint = 0")))
        {
            await using var run = await JobRun.StartAsync(job, new RunOptions { Workers = 2, StateDirectory = _dir.State, Journal = journal }, Ct);
            runId = run.RunId;
            await using var events = run.ReadEventsAsync(Ct).GetAsyncEnumerator(Ct);
            var finished = 0;
            while (finished < 50)
            {
                Assert.True(await events.MoveNextAsync().AsTask().Within());
                if (events.Current is TaskFinished) finished++;
            }
            await journal.FlushAsync(Ct).AsTask().Within();

            Directory.CreateDirectory(copy);
            File.Copy(_dir.JournalFile, Path.Combine(copy, "journal.db"));
            if (File.Exists(_dir.JournalFile + "-wal")) File.Copy(_dir.JournalFile + "-wal", Path.Combine(copy, "journal.db-wal"));
            run.Cancel();
        }

        // The blocker started and never finished: its attempt is there, open, and it is not a result to reuse.
        Assert.Equal(1L, Sql(Path.Combine(copy, "journal.db"), $"SELECT count(*) FROM attempts WHERE run_id = {runId} AND task_id = 'blocker' AND finished_at IS NULL"));
        Assert.Equal("running", Sql(Path.Combine(copy, "journal.db"), $"SELECT state FROM tasks WHERE run_id = {runId} AND task_id = 'blocker'"));
        Assert.Equal(50L, Sql(Path.Combine(copy, "journal.db"), $"SELECT count(*) FROM tasks WHERE run_id = {runId} AND outcome = 'passed'"));

        await using (var journal = SqliteRunJournal.Open(copy))
        {
            var point = await journal.FindResumePointAsync("abandoned", Ct);
            Assert.NotNull(point);
            Assert.Equal(runId, point.RunId);
            Assert.Equal(50, point.Succeeded.Count);
            Assert.DoesNotContain("blocker", point.Succeeded.Keys);

            var resumed = Job(blocker: _ => Task.CompletedTask);
            var results = await Runs.ResultsByIdAsync(resumed, new RunOptions { Workers = 2, StateDirectory = copy, Journal = journal, Resume = true });
            Assert.All(results.Values, r => Assert.Equal(Outcome.Passed, r.Outcome));
            Assert.Equal(50, results.Values.Count(r => r.Reused));
            Assert.False(results["blocker"].Reused);
            // Every task's definition was committed when the run began, so only the ones that had not passed ran again.
            Assert.Equal(results.Count - 50, results.Values.Count(r => !r.Reused));
        }

        static Job Job(Func<CancellationToken, Task> blocker)
        {
            var job = new Job("abandoned");
            job.AddAsync("blocker", blocker);
            // Everything else waits behind the blocker's worker: 50 of them pass before the copy is taken.
            for (var i = 0; i < 50; i++) job.AddAction($"t{i:D2}", _ => { });
            job.AddAsync("late", blocker, "blocker");
            return job;
        }
    }

    [Fact]
    public async Task A_start_and_its_end_in_one_batch_and_a_start_alone_read_back_as_recorded()
    {
        long runId;
        var journal = SqliteRunJournal.Open(_dir.State);
        runId = await journal.BeginRunAsync(Run(), Ct);
        journal.RecordTasks(runId, Tasks("done", "going"));
        RecordTask(journal, runId, "done", Outcome.Passed);
        journal.RecordAttemptStarted(runId, "going", 1, T0.AddSeconds(2), "/logs/going.1.log");
        await journal.FlushAsync(Ct);
        // Abandoned: no end of run, and the open attempt never finishes.
        await journal.DisposeAsync();

        await using (var reader = JournalReader.Open(_dir.State))
        {
            var done = Assert.Single(await reader.GetAttemptsAsync(runId, "done", Ct));
            Assert.Equal(T0, done.StartedAt);
            Assert.Equal(T0.AddSeconds(1), done.FinishedAt);
            Assert.Equal(Outcome.Passed, done.Outcome);
            var going = Assert.Single(await reader.GetAttemptsAsync(runId, "going", Ct));
            Assert.Equal(T0.AddSeconds(2), going.StartedAt);
            Assert.Null(going.FinishedAt);
            var run = await reader.GetRunAsync(runId, Ct);
            Assert.Equal(TaskProgress.Finished, run.Tasks.Single(t => t.TaskId == "done").Progress);
            Assert.Equal(TaskProgress.Running, run.Tasks.Single(t => t.TaskId == "going").Progress);
        }

        await using var reopened = SqliteRunJournal.Open(_dir.State);
        var point = await reopened.FindResumePointAsync("nightly", Ct);
        Assert.NotNull(point);
        Assert.Equal(new PreviousResult("hash-done", Outcome.Passed, runId), Assert.Single(point.Succeeded).Value);
    }

    [Fact]
    public async Task A_result_for_a_task_the_journal_was_never_told_about_gets_a_row_of_its_own()
    {
        await using var journal = SqliteRunJournal.Open(_dir.State);
        var first = await journal.BeginRunAsync(Run(), Ct);
        RecordTask(journal, first, "undeclared", Outcome.Passed, exitCode: 0);
        await journal.EndRunAsync(first, RunStatus.Passed, T0.AddMinutes(1), Ct);
        var second = await journal.BeginRunAsync(Run(resumedFrom: first), Ct);
        RecordReused(journal, second, "undeclared", Outcome.Passed, first);
        await journal.FlushAsync(Ct);

        Assert.Equal("finished", Sql(_dir.JournalFile, $"SELECT state FROM tasks WHERE run_id = {first} AND task_id = 'undeclared'"));
        Assert.Equal(0L, Sql(_dir.JournalFile, $"SELECT exit_code FROM tasks WHERE run_id = {first} AND task_id = 'undeclared'"));
        Assert.Equal(first, Sql(_dir.JournalFile, $"SELECT reused_from FROM tasks WHERE run_id = {second} AND task_id = 'undeclared'"));
        Assert.Equal(1L, Sql(_dir.JournalFile, $"SELECT n_passed FROM runs WHERE id = {first}"));
    }

    [Fact]
    public async Task Every_flush_sees_what_its_own_thread_recorded_before_it_while_others_keep_recording()
    {
        const int threads = 4;
        const int perThread = 600;
        await using var journal = SqliteRunJournal.Open(_dir.State);
        var runId = await journal.BeginRunAsync(Run(), Ct);
        var start = new Barrier(threads);
        var workers = new Task[threads];
        for (var t = 0; t < threads; t++)
        {
            var thread = t;
            workers[t] = Task.Run(async () =>
            {
                start.SignalAndWait(Ct);
                for (var i = 0; i < perThread; i++)
                {
                    RecordTask(journal, runId, $"t{thread}-{i}", Outcome.Passed);
                    if (i % 97 != 0) continue;
                    await journal.FlushAsync(Ct).AsTask().Within();
                    Assert.Equal("finished", Sql(_dir.JournalFile, $"SELECT state FROM tasks WHERE run_id = {runId} AND task_id = 't{thread}-{i}'"));
                }
            }, Ct);
        }
        await Task.WhenAll(workers).Within();
        await journal.EndRunAsync(runId, RunStatus.Passed, T0.AddMinutes(1), Ct).AsTask().Within();
        Assert.Equal((long)threads * perThread, Sql(_dir.JournalFile, $"SELECT n_passed FROM runs WHERE id = {runId}"));
    }

    private static void Pragma(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
