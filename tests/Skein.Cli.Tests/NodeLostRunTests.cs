using System.Diagnostics;
using Skein.Cluster;
using Skein.Cluster.Execution;
using Skein.Engine;
using Skein.Engine.JobFiles;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;

namespace Skein.Cli.Tests;

/// <summary>
/// A job run from C# through <see cref="ClusterExecutor"/> on real <c>skein coordinator</c> and <c>skein node</c>
/// processes, one node killed with SIGKILL while it runs an attempt: the attempt ends errored with node-lost naming
/// the node, and the retry runs on the other node.
/// </summary>
[Collection(ServiceClusterTests.ModuleCollection)]
public sealed class NodeLostRunTests
{
    private static readonly TimeSpan Timeout = ServiceClusterTests.Timeout;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_node_killed_mid_task_ends_the_attempt_node_lost_and_the_retry_runs_on_the_other_node()
    {
        using var dir = new TempDirectory();
        await using var cluster = await SurvivingRun.StartAsync(dir.Path);
        var (nodes, run, events, reading) = (cluster.Nodes, cluster.Run, cluster.Events, cluster.Reading);

        var (victim, group) = await cluster.FirstAttemptAsync();
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
        await using var cluster = await SurvivingRun.StartAsync(dir.Path, "--heartbeat-interval", "0.2", "--lost-after", "2");
        var (nodes, run, events, reading) = (cluster.Nodes, cluster.Run, cluster.Events, cluster.Reading);

        var (victim, stale) = await cluster.FirstAttemptAsync();
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

    /// <summary>
    /// A coordinator and two nodes as real processes, and a run from this process of one task with a retry whose first
    /// attempt says on a FIFO where it runs and its process group, then waits to be lost with its node.
    /// </summary>
    private sealed class SurvivingRun : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _owned = [];
        private string _started = "";

        public Dictionary<string, SkeinProcess> Nodes { get; } = new(StringComparer.Ordinal);
        public JobRun Run { get; private set; } = null!;
        public List<RunEvent> Events { get; } = [];
        public Task Reading { get; private set; } = Task.CompletedTask;

        public static async Task<SurvivingRun> StartAsync(string directory, params string[] coordinatorOptions)
        {
            var cluster = new SurvivingRun();
            try
            {
                var coordinator = SkeinProcess.Start(directory, ["coordinator", "--listen", "127.0.0.1:0", .. coordinatorOptions]);
                cluster._owned.Add(coordinator);
                await coordinator.WaitForOutputAsync("coordinator listening on", Timeout);
                var address = new Uri(System.Text.RegularExpressions.Regex.Match(coordinator.Stdout, @"coordinator listening on (http://\S+)").Groups[1].Value);
                foreach (var name in (string[])["one", "two"])
                {
                    var node = await ExampleCluster.StartNodeAsync(directory, name);
                    cluster._owned.Add(node);
                    cluster.Nodes[name] = node;
                }
                cluster._started = Path.Combine(directory, "started.fifo");
                MakeFifo(cluster._started);
                var load = JobFileLoader.Parse($$"""
                    name: survives
                    tasks:
                      long:
                        retries: 1
                        run: |
                          if [ "$SKEIN_ATTEMPT" = 1 ]; then echo "$SKEIN_NODE $$" > {{cluster._started}}; exec sleep 1000; fi
                          echo "on=$SKEIN_NODE"
                    """, "job.yaml", directory);
                Assert.Empty(load.Problems);
                var client = await SkeinClient.ConnectAsync(address, ClusterToken.Read(Path.Combine(directory, ".skein", ClusterToken.FileName)), cancellationToken: Ct);
                cluster._owned.Add(client);
                var executor = new ClusterExecutor(client);
                cluster._owned.Add(executor);
                cluster.Run = await JobRun.StartAsync(load.Job!, new RunOptions { Executor = executor, StateDirectory = Path.Combine(directory, "run") }, Ct);
                cluster._owned.Add(cluster.Run);
                cluster.Reading = Task.Run(async () =>
                {
                    await foreach (var e in cluster.Run.ReadEventsAsync(Ct)) lock (cluster.Events) cluster.Events.Add(e);
                }, Ct);
                return cluster;
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }
        }

        /// <summary>The node the first attempt runs on, and its process group, as the attempt said them.</summary>
        public async Task<(string Node, int Group)> FirstAttemptAsync()
        {
            var said = (await Task.Run(() => File.ReadAllText(_started).Trim(), Ct).WaitAsync(Timeout, Ct)).Split(' ');
            return (said[0], int.Parse(said[1]));
        }

        public async ValueTask DisposeAsync()
        {
            // Last started, first stopped: the run, then the client, the nodes and the coordinator.
            for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
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
