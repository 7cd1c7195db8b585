using static Skein.Cli.Tests.ClusterRunTests;

namespace Skein.Cli.Tests;

/// <summary>Runs on a cluster that go wrong or are taken up again: a wrong token, an unreachable cluster, resume from the coordinator's journal, Ctrl+C on <c>--nodes</c>, a coordinator killed mid-run. Jobs and helpers: <see cref="ClusterRunTests"/>.</summary>
public sealed class ClusterRunRecoveryTests
{
    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_wrong_token_or_an_unreachable_cluster_named_explicitly_is_exit_2_and_nothing_is_submitted()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", "name: nothing\ntasks:\n  touch: { run: \"touch ran\" }\n");
        await using var up = await StartUpAsync(dir.Path);
        var wrong = dir.WritePrivate("wrong-token", "0123456789abcdef0123456789abcdef");

        var refused = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--token-file", wrong);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("refused the cluster token (unauthenticated)", refused.Stderr);
        Assert.DoesNotContain("   at ", refused.Stderr);

        var unreachable = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--cluster", "127.0.0.1:1", "--token-file", wrong);
        Assert.True(unreachable.ExitCode == 2, unreachable.ToString());
        Assert.Contains("cannot reach the cluster at", unreachable.Stderr);
        Assert.Contains("127.0.0.1:1", unreachable.Stderr);
        Assert.Contains("nothing was submitted", unreachable.Stderr);

        var runs = await SkeinProcess.RunAsync(dir.Path, "runs");
        Assert.True(runs.ExitCode == 0, runs.ToString());
        Assert.Contains("no runs yet", runs.Stdout);
        Assert.False(File.Exists(dir.File("ran")));

        // --detach with no cluster named is bad input too.
        using var alone = new TempDirectory();
        alone.Write("job.yaml", "name: nothing\ntasks:\n  touch: { run: \"touch ran\" }\n");
        var detach = await SkeinProcess.RunAsync(alone.Path, "run", "job.yaml", "--detach");
        Assert.True(detach.ExitCode == 2, detach.ToString());
        Assert.Contains("--detach needs a cluster", detach.Stderr);
        Assert.False(File.Exists(alone.File("ran")));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Resume_on_a_cluster_reuses_what_passed_in_the_coordinators_journal()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: resumable
            tasks:
              slow-part: { run: "echo done >> slow-part.count" }
              fragile: { run: "test -f fixed", needs: [slow-part] }
            """);
        await using var up = await StartUpAsync(dir.Path);

        var first = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml");
        Assert.True(first.ExitCode == 1, first.ToString());
        File.WriteAllText(dir.File("fixed"), "");
        var resumed = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("reused from run 1", resumed.Stdout);
        Assert.Single(File.ReadAllLines(dir.File("slow-part.count")));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Ctrl_c_on_a_run_with_nodes_cancels_it_stops_its_cluster_and_exits_130()
    {
        using var dir = new TempDirectory();
        dir.Write("blocked.yaml", BlockedJob);

        await using var client = SkeinProcess.Start(dir.Path, "run", "--nodes", "1", "blocked.yaml");
        await client.WaitForOutputAsync("start     block", Patience);
        await WaitForFileAsync(dir.File("block.pid"));
        client.Signal(Posix.SigInt);
        Assert.Equal(130, await client.WaitForExitAsync(Patience));
        Assert.Contains("cancelled block", client.Stdout);
        await AssertStoppedAsync(dir.File("block.pid"));
        // Nothing of the throwaway cluster is left in the directory the run was started from.
        Assert.False(Directory.Exists(dir.File(".skein")));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_coordinator_killed_mid_run_and_started_again_resumes_the_run_without_rerunning_what_passed()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: restartable
            tasks:
              first: { run: "echo once >> first.count" }
              second:
                needs: [first]
                run: |
                  echo "second is running"
                  while [ ! -f go ]; do sleep 0.05; done
            """);
        // The coordinator comes back on the same port, where its node finds it again.
        var listen = $"127.0.0.1:{FreePort()}";
        var coordinator = await StartCoordinatorAsync(dir.Path, listen);
        await using var node = SkeinProcess.Start(dir.Path, "node", "--name", "worker", "--join", listen);
        await node.WaitForOutputAsync("node worker joined", Patience);
        try
        {
            var detached = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--detach");
            Assert.True(detached.ExitCode == 0, detached.ToString());
            Assert.Equal("1", detached.Stdout.Trim());
            await using (var logs = SkeinProcess.Start(dir.Path, "logs", "1", "second", "--follow"))
                await logs.WaitForOutputAsync("second is running", Patience);
            coordinator.Signal(Posix.SigKill);
            await coordinator.WaitForExitAsync(Patience);
        }
        finally
        {
            await coordinator.DisposeAsync();
        }

        await using var restarted = await StartCoordinatorAsync(dir.Path, listen);
        // Said once the run is resumed, which may come after "listening" (a resumed run may wait for its node to rejoin).
        await restarted.WaitForOutputAsync("run 1 was interrupted when the coordinator stopped; resumed as run 2", Patience);
        File.WriteAllText(dir.File("go"), "");
        // The old id names the run that continues it.
        var attached = await SkeinProcess.RunAsync(dir.Path, "attach", "1");
        Assert.True(attached.ExitCode == 0, attached.ToString());
        Assert.Contains("reused from run 1", attached.Stdout);
        Assert.Contains("passed    second", attached.Stdout);
        var show = await SkeinProcess.RunAsync(dir.Path, "show", "latest");
        Assert.Contains("run 2 of restartable: passed", show.Stdout);
        Assert.Contains("(resumed from run 1)", show.Stdout);
        Assert.Single(File.ReadAllLines(dir.File("first.count")));
    }
}
