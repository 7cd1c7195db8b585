using Skein.Engine.Journal;
using static Skein.Engine.Tests.Journal.JournalSamples;

namespace Skein.Engine.Tests.Journal;

public sealed class SqliteRunJournalRoundTripTests : IDisposable
{
    private readonly TempStateDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_run_reads_back_with_its_tasks_attempts_and_sub_results()
    {
        long runId;
        await using (var journal = SqliteRunJournal.Open(_dir.State))
        {
            Assert.Equal(_dir.JournalFile, journal.JournalPath);
            runId = await journal.BeginRunAsync(Run(), Ct);
            journal.RecordTasks(runId,
            [
                new TaskRecord("build", "h-build", null, 0),
                new TaskRecord("test", "h-test", "suite", 1),
                new TaskRecord("deploy", "h-deploy", null, 2),
            ]);

            RecordTask(journal, runId, "build", Outcome.Passed, exitCode: 0);

            journal.RecordAttemptStarted(runId, "test", 1, T0.AddSeconds(2), "/logs/test.1.log");
            journal.RecordAttemptFinished(runId, "test", 1, Outcome.Failed, "exit code 1", 1, T0.AddSeconds(3));
            journal.RecordAttemptStarted(runId, "test", 2, T0.AddSeconds(4), "/logs/test.2.log");
            journal.RecordAttemptFinished(runId, "test", 2, Outcome.Warned, "2 warnings", 3, T0.AddSeconds(6));
            journal.RecordTaskFinished(runId, new TaskResult
            {
                TaskId = "test",
                Outcome = Outcome.Warned,
                Reason = "2 warnings",
                Attempts = 2,
                StartedAt = T0.AddSeconds(2),
                Duration = TimeSpan.FromMilliseconds(4000.5),
                ExitCode = 3,
                LogPath = "/logs/test.2.log",
                SubResults =
                [
                    new SubResult("parses", Outcome.Passed),
                    new SubResult("formats", Outcome.Warned, "trailing space"),
                    new SubResult("unicode", Outcome.Skipped, "no locale"),
                ],
            });

            journal.RecordTaskFinished(runId, new TaskResult { TaskId = "deploy", Outcome = Outcome.Skipped, Reason = "needs 'test'" });
            await journal.EndRunAsync(runId, RunStatus.Failed, T0.AddSeconds(10), Ct);
        }

        await using var reader = JournalReader.Open(_dir.State);
        var run = await reader.GetRunAsync(runId, Ct);

        Assert.Equal(runId, run.Summary.Id);
        Assert.Equal("nightly", run.Summary.JobName);
        Assert.Equal(RunState.Failed, run.Summary.State);
        Assert.Equal(T0, run.Summary.StartedAt);
        Assert.Equal(TimeSpan.FromSeconds(10), run.Summary.Duration);
        Assert.Equal(3, run.Summary.TaskCount);
        Assert.Equal(new OutcomeCounts(Passed: 1, Warned: 1, Skipped: 1, Failed: 0, TimedOut: 0, Errored: 0, Cancelled: 0), run.Summary.Counts);
        Assert.Equal("/jobs/nightly.yaml", run.JobFile);
        Assert.Equal("skein run /jobs/nightly.yaml", run.CommandLine);
        Assert.Null(run.ResumedFrom);
        Assert.Equal(Environment.ProcessId, run.ProcessId);
        Assert.Equal(Environment.MachineName, run.Host);

        Assert.Equal(["build", "test", "deploy"], run.Tasks.Select(t => t.TaskId));

        var build = run.Tasks[0];
        Assert.Equal(TaskProgress.Finished, build.Progress);
        Assert.Equal(Outcome.Passed, build.Outcome);
        Assert.Equal(0, build.ExitCode);
        Assert.Equal("h-build", build.DefinitionHash);
        Assert.Empty(build.SubResults);

        var test = run.Tasks[1];
        Assert.Equal(Outcome.Warned, test.Outcome);
        Assert.Equal("2 warnings", test.Reason);
        Assert.Equal(2, test.Attempts);
        Assert.Equal(1, test.Order);
        Assert.Equal("suite", test.Group);
        Assert.Equal(T0.AddSeconds(2), test.StartedAt);
        Assert.Equal(TimeSpan.FromMilliseconds(4000.5), test.Duration);
        Assert.Equal(3, test.ExitCode);
        Assert.Equal("/logs/test.2.log", test.LogPath);
        Assert.False(test.Reused);
        Assert.Equal(
            [
                new SubResult("parses", Outcome.Passed),
                new SubResult("formats", Outcome.Warned, "trailing space"),
                new SubResult("unicode", Outcome.Skipped, "no locale"),
            ],
            test.SubResults);

        var deploy = run.Tasks[2];
        Assert.Equal(Outcome.Skipped, deploy.Outcome);
        Assert.Equal("needs 'test'", deploy.Reason);
        Assert.Equal(0, deploy.Attempts);
        Assert.Null(deploy.StartedAt);

        var attempts = await reader.GetAttemptsAsync(runId, "test", Ct);
        Assert.Equal(2, attempts.Count);
        Assert.Equal(1, attempts[0].Attempt);
        Assert.Equal(Outcome.Failed, attempts[0].Outcome);
        Assert.Equal("exit code 1", attempts[0].Reason);
        Assert.Equal(1, attempts[0].ExitCode);
        Assert.Equal("/logs/test.1.log", attempts[0].LogPath);
        Assert.Equal(TimeSpan.FromSeconds(1), attempts[0].Duration);
        Assert.Equal(2, attempts[1].Attempt);
        Assert.Equal(Outcome.Warned, attempts[1].Outcome);
        Assert.Equal("/logs/test.2.log", attempts[1].LogPath);
        Assert.Equal(T0.AddSeconds(6), attempts[1].FinishedAt);

        Assert.Empty(await reader.GetAttemptsAsync(runId, "deploy", Ct));
    }

    [Fact]
    public async Task A_task_seen_across_batches_moves_from_pending_to_running_to_finished()
    {
        await using var journal = SqliteRunJournal.Open(_dir.State);
        var runId = await journal.BeginRunAsync(Run(), Ct);
        journal.RecordTasks(runId, Tasks("slow"));
        await journal.FlushAsync(Ct);
        Assert.Equal(TaskProgress.Pending, await ProgressOf(runId, "slow"));

        journal.RecordAttemptStarted(runId, "slow", 1, T0, "/logs/slow.1.log");
        await journal.FlushAsync(Ct);
        Assert.Equal(TaskProgress.Running, await ProgressOf(runId, "slow"));

        await using (var reader = JournalReader.Open(_dir.State))
        {
            var running = Assert.Single(await reader.GetAttemptsAsync(runId, "slow", Ct));
            Assert.Equal(T0, running.StartedAt);
            Assert.Null(running.FinishedAt);
            Assert.Null(running.Outcome);
        }

        journal.RecordAttemptFinished(runId, "slow", 1, Outcome.TimedOut, "ran longer than 5s", null, T0.AddSeconds(5));
        journal.RecordTaskFinished(runId, new TaskResult { TaskId = "slow", Outcome = Outcome.TimedOut, Attempts = 1, StartedAt = T0 });
        await journal.FlushAsync(Ct);
        Assert.Equal(TaskProgress.Finished, await ProgressOf(runId, "slow"));

        await using (var reader = JournalReader.Open(_dir.State))
        {
            var finished = Assert.Single(await reader.GetAttemptsAsync(runId, "slow", Ct));
            Assert.Equal(T0, finished.StartedAt);
            Assert.Equal("/logs/slow.1.log", finished.LogPath);
            Assert.Equal(Outcome.TimedOut, finished.Outcome);
            Assert.Equal("ran longer than 5s", finished.Reason);
        }
    }

    [Fact]
    public async Task Tasks_recorded_from_many_threads_all_arrive()
    {
        const int threads = 4;
        const int perThread = 2_500;
        long runId;
        await using (var journal = SqliteRunJournal.Open(_dir.State))
        {
            runId = await journal.BeginRunAsync(Run(), Ct);
            var start = new Barrier(threads);
            var workers = new Task[threads];
            for (var t = 0; t < threads; t++)
            {
                var thread = t;
                workers[t] = Task.Run(() =>
                {
                    start.SignalAndWait(Ct);
                    for (var i = 0; i < perThread; i++)
                    {
                        RecordTask(journal, runId, $"t{thread}-{i}", i % 10 == 0 ? Outcome.Failed : Outcome.Passed);
                    }
                }, Ct);
            }
            await Task.WhenAll(workers);
            await journal.EndRunAsync(runId, RunStatus.Failed, T0.AddMinutes(1), Ct);
        }

        await using var reader = JournalReader.Open(_dir.State);
        var run = await reader.GetRunAsync(runId, Ct);
        Assert.Equal(threads * perThread, run.Summary.TaskCount);
        Assert.Equal(threads * perThread / 10, run.Summary.Counts.Failed);
        Assert.Equal(threads * perThread * 9 / 10, run.Summary.Counts.Passed);
        Assert.All(run.Tasks, t => Assert.Equal(1, t.Attempts));
    }

    [Fact]
    public async Task Runs_list_newest_first_filtered_by_job_and_limited()
    {
        await using (var journal = SqliteRunJournal.Open(_dir.State))
        {
            foreach (var job in (string[])["nightly", "release", "nightly", "nightly"])
            {
                var runId = await journal.BeginRunAsync(Run(job), Ct);
                RecordTask(journal, runId, "only", Outcome.Passed);
                await journal.EndRunAsync(runId, RunStatus.Passed, T0.AddSeconds(runId), Ct);
            }
            // Still running: its counts are taken live from its tasks.
            var live = await journal.BeginRunAsync(Run("release"), Ct);
            journal.RecordTasks(live, Tasks("a", "b"));
            RecordTask(journal, live, "a", Outcome.Failed);
            await journal.FlushAsync(Ct);

            await using var reader = JournalReader.Open(_dir.State);

            var all = await reader.ListRunsAsync(10, null, Ct);
            Assert.Equal([5L, 4, 3, 2, 1], all.Select(r => r.Id));
            Assert.Equal(RunState.Running, all[0].State);
            Assert.Equal(2, all[0].TaskCount);
            Assert.Equal(1, all[0].Counts.Failed);
            Assert.Equal(1, all[0].Counts.Finished);
            Assert.Null(all[0].Duration);
            Assert.Equal(RunState.Passed, all[1].State);
            Assert.Equal(1, all[1].Counts[Outcome.Passed]);
            Assert.Equal(TimeSpan.FromSeconds(4), all[1].Duration);

            var nightly = await reader.ListRunsAsync(2, "nightly", Ct);
            Assert.Equal([4L, 3], nightly.Select(r => r.Id));

            Assert.Equal(5, await reader.GetLatestRunIdAsync(null, Ct));
            Assert.Equal(4, await reader.GetLatestRunIdAsync("nightly", Ct));
            Assert.Null(await reader.GetLatestRunIdAsync("weekly", Ct));
        }
    }

    private async Task<TaskProgress> ProgressOf(long runId, string taskId)
    {
        await using var reader = JournalReader.Open(_dir.State);
        var run = await reader.GetRunAsync(runId, Ct);
        return run.Tasks.Single(t => t.TaskId == taskId).Progress;
    }
}
