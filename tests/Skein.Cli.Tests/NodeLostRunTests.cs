using System.Diagnostics;
using Skein.Cluster;
using Skein.Cluster.Execution;
using Skein.Engine;
using Skein.Engine.JobFiles;

namespace Skein.Cli.Tests;

/// <summary>
/// A job run from C# through <see cref="ClusterExecutor"/> on real <c>skein coordinator</c> and <c>skein node</c>
/// processes, one node killed with SIGKILL while it runs an attempt: the attempt ends errored with node-lost naming
/// the node, and the retry runs on the other node.
/// </summary>
[Collection(ServiceClusterTests.Collection)]
public sealed class NodeLostRunTests
{
    private static readonly TimeSpan Timeout = ServiceClusterTests.Timeout;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_node_killed_mid_task_ends_the_attempt_node_lost_and_the_retry_runs_on_the_other_node()
    {
        using var dir = new TempDirectory();
        var (coordinator, address) = await ExampleCluster.StartCoordinatorAsync(dir.Path);
        await using var _c = coordinator;
        await using var one = await ExampleCluster.StartNodeAsync(dir.Path, "one");
        await using var two = await ExampleCluster.StartNodeAsync(dir.Path, "two");
        var nodes = new Dictionary<string, SkeinProcess> { ["one"] = one, ["two"] = two };
        var started = Path.Combine(dir.Path, "started.fifo");
        MakeFifo(started);
        var load = JobFileLoader.Parse($$"""
            name: survives
            tasks:
              long:
                retries: 1
                run: |
                  if [ "$SKEIN_ATTEMPT" = 1 ]; then echo "$SKEIN_NODE $$" > {{started}}; exec sleep 1000; fi
                  echo "on=$SKEIN_NODE"
            """, "job.yaml", dir.Path);
        Assert.Empty(load.Problems);
        await using var client = await SkeinClient.ConnectAsync(address, ClusterToken.Read(Path.Combine(dir.Path, ".skein", ClusterToken.FileName)), cancellationToken: Ct);
        await using var executor = new ClusterExecutor(client);
        await using var run = await JobRun.StartAsync(load.Job!, new RunOptions { Executor = executor, StateDirectory = Path.Combine(dir.Path, "run") }, Ct);
        var events = new List<RunEvent>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in run.ReadEventsAsync(Ct)) lock (events) events.Add(e);
        }, Ct);

        var said = (await Task.Run(() => File.ReadAllText(started).Trim(), Ct).WaitAsync(Timeout, Ct)).Split(' ');
        var (victim, group) = (said[0], int.Parse(said[1]));
        try
        {
            nodes[victim].Signal(Posix.SigKill);
            var summary = await run.Completion.WaitAsync(Timeout, Ct);
            await reading.WaitAsync(Timeout, Ct);

            Assert.True(summary.Succeeded);
            var retrying = Assert.Single(events.OfType<TaskRetrying>());
            Assert.Equal(Outcome.Errored, retrying.Outcome);
            Assert.Equal($"node-lost: {victim}", retrying.Reason);
            var result = Assert.Single(events.OfType<TaskFinished>()).Result;
            Assert.Equal(2, result.Attempts);
            var survivor = victim == "one" ? "two" : "one";
            Assert.Equal($"on={survivor}\n", File.ReadAllText(result.LogPath!));
        }
        finally
        {
            // The killed node could not stop its command: its process group goes here.
            Posix.Kill(-group, Posix.SigKill);
        }
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_node_frozen_past_lost_after_is_replaced_and_kills_its_stale_attempt_when_it_wakes()
    {
        using var dir = new TempDirectory();
        await using var coordinator = SkeinProcess.Start(dir.Path, "coordinator", "--listen", "127.0.0.1:0", "--heartbeat-interval", "0.2", "--lost-after", "2");
        await coordinator.WaitForOutputAsync("coordinator listening on", Timeout);
        var address = new Uri(System.Text.RegularExpressions.Regex.Match(coordinator.Stdout, @"coordinator listening on (http://\S+)").Groups[1].Value);
        await using var one = await ExampleCluster.StartNodeAsync(dir.Path, "one");
        await using var two = await ExampleCluster.StartNodeAsync(dir.Path, "two");
        var nodes = new Dictionary<string, SkeinProcess> { ["one"] = one, ["two"] = two };
        var started = Path.Combine(dir.Path, "started.fifo");
        MakeFifo(started);
        var load = JobFileLoader.Parse($$"""
            name: survives
            tasks:
              long:
                retries: 1
                run: |
                  if [ "$SKEIN_ATTEMPT" = 1 ]; then echo "$SKEIN_NODE $$" > {{started}}; exec sleep 1000; fi
                  echo "on=$SKEIN_NODE"
            """, "job.yaml", dir.Path);
        Assert.Empty(load.Problems);
        await using var client = await SkeinClient.ConnectAsync(address, ClusterToken.Read(Path.Combine(dir.Path, ".skein", ClusterToken.FileName)), cancellationToken: Ct);
        await using var executor = new ClusterExecutor(client);
        await using var run = await JobRun.StartAsync(load.Job!, new RunOptions { Executor = executor, StateDirectory = Path.Combine(dir.Path, "run") }, Ct);
        var events = new List<RunEvent>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in run.ReadEventsAsync(Ct)) lock (events) events.Add(e);
        }, Ct);

        var said = (await Task.Run(() => File.ReadAllText(started).Trim(), Ct).WaitAsync(Timeout, Ct)).Split(' ');
        var (victim, stale) = (said[0], int.Parse(said[1]));
        try
        {
            nodes[victim].Signal(Posix.SigStop);
            try
            {
                var summary = await run.Completion.WaitAsync(Timeout, Ct);
                await reading.WaitAsync(Timeout, Ct);

                Assert.True(summary.Succeeded);
                var retrying = Assert.Single(events.OfType<TaskRetrying>());
                Assert.Equal($"node-lost: {victim}", retrying.Reason);
                var result = Assert.Single(events.OfType<TaskFinished>()).Result;
                Assert.Equal($"on={(victim == "one" ? "two" : "one")}\n", File.ReadAllText(result.LogPath!));
                // The stale attempt is still there while its node sleeps.
                Assert.True(Posix.IsAlive(stale));
            }
            finally
            {
                nodes[victim].Signal(Posix.SigCont);
            }

            // Awake, the node finds the attempt's call broken: the run gave it up, so it stops the command.
            await WaitUntilAsync(() => !Posix.IsAlive(stale), "the stale attempt stopped");
            await nodes[victim].WaitForOutputAsync($"attempt 1 of task long", Timeout);
        }
        finally
        {
            Posix.Kill(-stale, Posix.SigKill);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{what} did not happen within {Timeout.TotalSeconds:0} s");
            await Task.Delay(20, Ct);
        }
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }
}
