using Skein.Engine.Journal;
using static Skein.Engine.Tests.Journal.JournalSamples;

namespace Skein.Engine.Tests.Journal;

public sealed class SqliteRunJournalResumeTests : IDisposable
{
    private readonly TempStateDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Without_an_earlier_run_there_is_no_resume_point()
    {
        await using var journal = SqliteRunJournal.Open(_dir.State);
        var other = await journal.BeginRunAsync(Run("release"), Ct);
        RecordTask(journal, other, "a", Outcome.Passed);

        Assert.Null(await journal.FindResumePointAsync("nightly", Ct));
    }

    [Fact]
    public async Task The_latest_run_is_the_resume_point_with_its_passes_including_reused_ones()
    {
        await using var journal = SqliteRunJournal.Open(_dir.State);

        var first = await journal.BeginRunAsync(Run(), Ct);
        journal.RecordTasks(first, Tasks("a", "b", "c", "d"));
        RecordTask(journal, first, "a", Outcome.Passed);
        RecordTask(journal, first, "b", Outcome.Failed, "exit code 2", 2);
        RecordTask(journal, first, "c", Outcome.Warned);
        RecordTask(journal, first, "d", Outcome.Passed);
        await journal.EndRunAsync(first, RunStatus.Failed, T0.AddMinutes(1), Ct);

        // A later run of another job must not be taken for this job's latest.
        var unrelated = await journal.BeginRunAsync(Run("release"), Ct);
        RecordTask(journal, unrelated, "a", Outcome.Failed);
        await journal.EndRunAsync(unrelated, RunStatus.Failed, T0.AddMinutes(2), Ct);

        var point = await journal.FindResumePointAsync("nightly", Ct);
        Assert.NotNull(point);
        Assert.Equal(first, point.RunId);
        Assert.Equal(["a", "c", "d"], point.Succeeded.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new PreviousResult("hash-c", Outcome.Warned, first), point.Succeeded["c"]);

        // The resumed run reuses a and c, runs b again (it passes now) and d again (its definition changed, it fails).
        var second = await journal.BeginRunAsync(Run(resumedFrom: first), Ct);
        journal.RecordTasks(second, Tasks("a", "b", "c", "d"));
        RecordReused(journal, second, "a", Outcome.Passed, first);
        RecordTask(journal, second, "b", Outcome.Passed);
        RecordReused(journal, second, "c", Outcome.Warned, first);
        RecordTask(journal, second, "d", Outcome.Failed);
        await journal.EndRunAsync(second, RunStatus.Failed, T0.AddMinutes(3), Ct);

        point = await journal.FindResumePointAsync("nightly", Ct);
        Assert.NotNull(point);
        Assert.Equal(second, point.RunId);
        Assert.Equal(["a", "b", "c"], point.Succeeded.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new PreviousResult("hash-a", Outcome.Passed, first), point.Succeeded["a"]);
        Assert.Equal(new PreviousResult("hash-b", Outcome.Passed, second), point.Succeeded["b"]);
        Assert.Equal(new PreviousResult("hash-c", Outcome.Warned, first), point.Succeeded["c"]);

        // Resuming the resumed run still points at the run that did the work.
        var third = await journal.BeginRunAsync(Run(resumedFrom: second), Ct);
        journal.RecordTasks(third, Tasks("a", "b", "c", "d"));
        RecordReused(journal, third, "a", Outcome.Passed, first);
        RecordReused(journal, third, "b", Outcome.Passed, second);
        await journal.FlushAsync(Ct);

        await using var reader = JournalReader.Open(_dir.State);
        var run = await reader.GetRunAsync(third, Ct);
        Assert.Equal(second, run.ResumedFrom);
        Assert.Equal(first, run.Tasks.Single(t => t.TaskId == "a").ReusedFrom);
        Assert.Equal(second, run.Tasks.Single(t => t.TaskId == "b").ReusedFrom);
        Assert.True(run.Tasks.Single(t => t.TaskId == "a").Reused);
        Assert.Null(run.Tasks.Single(t => t.TaskId == "d").ReusedFrom);
        Assert.Equal(TaskProgress.Pending, run.Tasks.Single(t => t.TaskId == "d").Progress);
    }

    [Fact]
    public async Task The_resume_point_survives_reopening_the_journal()
    {
        long runId;
        await using (var journal = SqliteRunJournal.Open(_dir.State))
        {
            runId = await journal.BeginRunAsync(Run(), Ct);
            journal.RecordTasks(runId, Tasks("a", "b"));
            RecordTask(journal, runId, "a", Outcome.Passed);
            // Interrupted: no end of run, no result for b.
        }

        await using (var journal = SqliteRunJournal.Open(_dir.State))
        {
            var point = await journal.FindResumePointAsync("nightly", Ct);
            Assert.NotNull(point);
            Assert.Equal(runId, point.RunId);
            Assert.Equal(new PreviousResult("hash-a", Outcome.Passed, runId), Assert.Single(point.Succeeded).Value);
        }
    }
}
