using System.Diagnostics;
using System.Runtime.InteropServices;
using Skein.Engine.Journal;
using static Skein.Engine.Tests.Journal.JournalSamples;

namespace Skein.Engine.Tests.Journal;

public sealed class SqliteRunJournalKillTests : IDisposable
{
    private readonly TempStateDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_journal_whose_writer_was_killed_mid_run_is_readable_and_keeps_every_flushed_task()
    {
        using var child = StartWriter(_dir.State);
        long runId = 0;
        var flushed = 0;
        try
        {
            // Let it get well into the run, then kill it while it keeps writing.
            while (flushed < 20_000)
            {
                var line = await child.StandardOutput.ReadLineAsync(Ct)
                    ?? throw new InvalidOperationException($"the writer exited early: {await child.StandardError.ReadToEndAsync(Ct)}");
                if (line.StartsWith("run ", StringComparison.Ordinal)) runId = long.Parse(line[4..]);
                else if (line.StartsWith("flushed ", StringComparison.Ordinal)) flushed = int.Parse(line[8..]);
            }
        }
        finally
        {
            child.Kill(); // SIGKILL on Unix: no managed code runs, nothing is flushed or closed.
            await child.WaitForExitAsync(Ct);
        }
        if (!OperatingSystem.IsWindows()) Assert.Equal(128 + 9, child.ExitCode);

        await using (var reader = JournalReader.Open(_dir.State))
        {
            var run = await reader.GetRunAsync(runId, Ct);
            Assert.Equal(RunState.Interrupted, run.Summary.State);
            Assert.True(run.Summary.Counts.Passed >= flushed, $"{run.Summary.Counts.Passed} passed tasks in the journal, {flushed} flushed before the kill");
            // Events commit in the order they were recorded, and the writer records one task at a time:
            // at most the task it was on when killed can be unfinished.
            Assert.True(run.Tasks.Count(t => t.Progress != TaskProgress.Finished) <= 1);
        }
        Assert.Equal("ok", Sql(_dir.JournalFile, "PRAGMA integrity_check"));

        // And the next run carries on from it.
        await using var journal = SqliteRunJournal.Open(_dir.State);
        var point = await journal.FindResumePointAsync("killed", Ct);
        Assert.NotNull(point);
        Assert.Equal(runId, point.RunId);
        Assert.True(point.Succeeded.Count >= flushed);
    }

    private static Process StartWriter(string stateDirectory)
    {
        // The same runtime that runs the tests: its muxer sits three levels above the framework directory.
        var dotnetRoot = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var start = new ProcessStartInfo(Path.Combine(dotnetRoot, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Skein.Engine.Tests.JournalWriter.dll"));
        start.ArgumentList.Add(stateDirectory);
        return Process.Start(start) ?? throw new InvalidOperationException("the journal writer did not start");
    }
}
