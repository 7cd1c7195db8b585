using Skein.Engine.Journal;
using static Skein.Engine.Tests.Journal.JournalSamples;

namespace Skein.Engine.Tests.Journal;

public sealed class JournalReaderTests : IDisposable
{
    private readonly TempStateDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task An_unknown_run_is_reported_with_the_latest_one()
    {
        await using (SqliteRunJournal.Open(_dir.State))
        {
        }
        await using (var reader = JournalReader.Open(_dir.State))
        {
            var empty = await Assert.ThrowsAsync<SkeinException>(() => reader.GetRunAsync(1, Ct));
            Assert.Equal("no run 1 in the journal (it has no runs yet)", empty.Message);
            Assert.Null(await reader.GetLatestRunIdAsync(null, Ct));
            Assert.Empty(await reader.ListRunsAsync(20, null, Ct));
        }

        await using (var journal = SqliteRunJournal.Open(_dir.State))
        {
            await journal.BeginRunAsync(Run(), Ct);
            await journal.BeginRunAsync(Run(), Ct);
        }
        await using (var reader = JournalReader.Open(_dir.State))
        {
            var e = await Assert.ThrowsAsync<SkeinException>(() => reader.GetRunAsync(7, Ct));
            Assert.Equal("no run 7 in the journal (latest is 2)", e.Message);
            e = await Assert.ThrowsAsync<SkeinException>(() => reader.GetAttemptsAsync(7, "build", Ct));
            Assert.Equal("no run 7 in the journal (latest is 2)", e.Message);
        }
    }

    [Fact]
    public async Task An_unknown_task_is_reported_with_the_run_and_close_ids()
    {
        long runId;
        await using (var journal = SqliteRunJournal.Open(_dir.State))
        {
            runId = await journal.BeginRunAsync(Run(), Ct);
            journal.RecordTasks(runId, Tasks("compile", "compile-tests", "unit-tests", "package", "publish"));
        }

        await using var reader = JournalReader.Open(_dir.State);

        var e = await Assert.ThrowsAsync<SkeinException>(() => reader.GetAttemptsAsync(runId, "compiel", Ct));
        Assert.Equal($"no task 'compiel' in run {runId}; did you mean 'compile'?", e.Message);

        e = await Assert.ThrowsAsync<SkeinException>(() => reader.GetAttemptsAsync(runId, "tests", Ct));
        Assert.Equal($"no task 'tests' in run {runId}; did you mean 'compile-tests', 'unit-tests'?", e.Message);

        e = await Assert.ThrowsAsync<SkeinException>(() => reader.GetAttemptsAsync(runId, "zzzzzzzz", Ct));
        Assert.Equal($"no task 'zzzzzzzz' in run {runId}", e.Message);
    }

    [Fact]
    public async Task A_run_left_running_reads_as_interrupted_once_its_process_is_gone()
    {
        long runId;
        await using (var journal = SqliteRunJournal.Open(_dir.State))
        {
            runId = await journal.BeginRunAsync(Run(), Ct);
        }

        Assert.Equal(RunState.Running, await StateOf(runId));

        // No pid reaches int.MaxValue (Linux caps them at 2^22).
        Sql(_dir.JournalFile, $"UPDATE runs SET pid = {int.MaxValue} WHERE id = {runId}");
        Assert.Equal(RunState.Interrupted, await StateOf(runId));

        // This process's pid, but a process that started long before it: the pid was reused.
        Sql(_dir.JournalFile, $"UPDATE runs SET pid = {Environment.ProcessId}, process_started_at = process_started_at - 3600000 WHERE id = {runId}");
        Assert.Equal(RunState.Interrupted, await StateOf(runId));

        Sql(_dir.JournalFile, $"UPDATE runs SET process_started_at = process_started_at + 3600000, host = 'elsewhere' WHERE id = {runId}");
        Assert.Equal(RunState.Interrupted, await StateOf(runId));

        Sql(_dir.JournalFile, $"UPDATE runs SET host = '{Environment.MachineName}' WHERE id = {runId}");
        Assert.Equal(RunState.Running, await StateOf(runId));
    }

    private async Task<RunState> StateOf(long runId)
    {
        await using var reader = JournalReader.Open(_dir.State);
        return (await reader.GetRunAsync(runId, Ct)).Summary.State;
    }
}
