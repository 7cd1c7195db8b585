using System.Text.RegularExpressions;

namespace Skein.Cli.Tests;

/// <summary>
/// A task that could run on the cluster but finds no room waits, and says what for: in skein run's progress and in
/// skein show, with real skein up, node and run processes on loopback.
/// </summary>
public sealed partial class ClusterWaitingTests
{
    private static readonly TimeSpan Patience = TestPatience.Ceiling;

    /// <summary>Three tasks of one slot each, every one held until the test writes 'go': on two nodes of one slot, one waits.</summary>
    private const string CrowdedJob = """
        name: crowded
        tasks:
          a:
            run: |
              echo "a holds its slot"
              while [ ! -f go ]; do sleep 0.05; done
          b:
            run: |
              echo "b holds its slot"
              while [ ! -f go ]; do sleep 0.05; done
          c:
            run: |
              echo "c holds its slot"
              while [ ! -f go ]; do sleep 0.05; done
        """;

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_task_that_finds_no_room_waits_and_the_progress_and_skein_show_say_what_for()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", CrowdedJob);
        await using var up = SkeinProcess.Start(dir.Path, "up", "--nodes", "2", "--slots", "1");
        await up.WaitForOutputAsync("cluster up at", Patience);

        // Three run at once on the coordinator's side; the nodes have room for two.
        await using var run = SkeinProcess.Start(dir.Path, "run", "job.yaml", "--workers", "3");
        await run.WaitForOutputAsync("waiting   ", Patience);
        var waitingLine = WaitingLine().Match(run.Stdout);
        Assert.True(waitingLine.Success, run.Stdout);
        var waiter = waitingLine.Groups[1].Value;
        Assert.Contains("waiting for room: needs 1 core; ", waitingLine.Value);
        Assert.Contains("node-1 has 0 of 1 free", waitingLine.Value);
        Assert.Contains("node-2 has 0 of 1 free", waitingLine.Value);

        var show = await SkeinProcess.RunAsync(dir.Path, "show", "1");
        Assert.True(show.ExitCode == 0, show.ToString());
        // The table wraps a long reason over several lines: read its cells as one text.
        var cells = Regex.Replace(show.Stdout, @"[│\s]+", " ");
        Assert.Matches($@" {waiter} waiting \S+ \d+ waiting for room: needs 1 core; ", cells);
        Assert.Contains("running", cells);
        Assert.False(File.Exists(dir.File("go")));

        File.WriteAllText(dir.File("go"), "");
        Assert.Equal(0, await run.WaitForExitAsync(Patience));
        Assert.Contains($"start     {waiter}", run.Stdout);
        Assert.Contains($"passed    {waiter}", run.Stdout);
        var after = await SkeinProcess.RunAsync(dir.Path, "show", "1");
        Assert.DoesNotContain("waiting", after.Stdout);
    }

    [GeneratedRegex(@"waiting   (\S+): (.*)")]
    private static partial Regex WaitingLine();
}
