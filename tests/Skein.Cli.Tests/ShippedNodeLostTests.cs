using System.Security.Cryptography;
using System.Text;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;
using Skein.Cluster.Execution;
using Skein.Engine;

namespace Skein.Cli.Tests;

/// <summary>
/// C# code shipped to real <c>skein node</c> processes through <see cref="ClusterExecutor"/>: the node running a
/// shipped attempt is killed with SIGKILL while its entry waits, and the run does not hang: the attempt ends errored
/// with node-lost naming the node, and the retry runs the entry on the other node.
/// </summary>
[Collection(ServiceClusterTests.ModuleCollection)]
public sealed class ShippedNodeLostTests
{
    private static readonly TimeSpan Timeout = ServiceClusterTests.Timeout;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_node_killed_while_it_runs_shipped_code_ends_the_attempt_node_lost_and_the_retry_runs_on_the_other_node()
    {
        using var dir = new TempDirectory();
        var owned = new List<IAsyncDisposable>();
        try
        {
            var coordinator = SkeinProcess.Start(dir.Path, ["coordinator", "--listen", "127.0.0.1:0"]);
            owned.Add(coordinator);
            await coordinator.WaitForOutputAsync("coordinator listening on", Timeout);
            var address = new Uri(System.Text.RegularExpressions.Regex.Match(coordinator.Stdout, @"coordinator listening on (http://\S+)").Groups[1].Value);
            var nodes = new Dictionary<string, SkeinProcess>(StringComparer.Ordinal);
            foreach (var name in (string[])["one", "two"])
            {
                var node = await ClusterTests.StartNodeAsync(dir.Path, name);
                owned.Add(node);
                nodes[name] = node;
            }
            var client = await SkeinClient.ConnectAsync(address, ClusterToken.Read(Path.Combine(dir.Path, ".skein", ClusterToken.FileName)), cancellationToken: Ct);
            owned.Add(client);
            var executor = new ClusterExecutor(client);
            owned.Add(executor);

            // The entry says where it waits (its node and process) in this file, then waits for its token; its retry answers at once.
            var started = Path.Combine(dir.Path, "started");
            var shipment = new AssemblyShipment(Path.Combine(AppContext.BaseDirectory, "modules", "shipped-entries", "ShippedEntries.dll"));
            var job = new Job("ships").Add(new TaskSpec
            {
                Id = "wait",
                Retries = 1,
                Action = new ShippedWait(shipment, Encoding.UTF8.GetBytes(started)),
            });
            var run = await JobRun.StartAsync(job, new RunOptions { Executor = executor, StateDirectory = Path.Combine(dir.Path, "run") }, Ct);
            owned.Add(run);
            var events = new List<RunEvent>();
            var reading = Task.Run(async () =>
            {
                await foreach (var e in run.ReadEventsAsync(Ct)) lock (events) events.Add(e);
            }, Ct);

            var said = (await ReadWhenWrittenAsync(started)).Split(' ');
            var victim = said[0];
            // The entry runs inside the node's own process.
            Assert.Equal(nodes[victim].Id, int.Parse(said[1]));
            nodes[victim].Signal(Posix.SigKill);

            var summary = await run.Completion.WaitAsync(Timeout, Ct);
            await reading.WaitAsync(Timeout, Ct);

            Assert.True(summary.Succeeded);
            var retrying = Assert.Single(events.OfType<TaskRetrying>());
            Assert.Equal(Outcome.Errored, retrying.Outcome);
            Assert.Equal($"node-lost: {victim}", retrying.Reason);
            var result = Assert.Single(events.OfType<TaskFinished>()).Result;
            Assert.Equal(2, result.Attempts);
            Assert.Equal($"on={(victim == "one" ? "two" : "one")}", Encoding.UTF8.GetString((byte[])result.Value!));
        }
        finally
        {
            // Last started, first stopped: the run, the executor and client, the nodes and the coordinator.
            for (var i = owned.Count - 1; i >= 0; i--) await owned[i].DisposeAsync();
        }
    }

    private static async Task<string> ReadWhenWrittenAsync(string path)
    {
        using var ceiling = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        ceiling.CancelAfter(Timeout);
        // The entry writes the file under another name and renames it: once it is there, it is whole.
        while (!File.Exists(path)) await Task.Delay(20, ceiling.Token);
        return File.ReadAllText(path).Trim();
    }

    /// <summary>Ships tests/Modules/ShippedEntries and runs its WaitEntry with a file path; the reply's bytes are the task's value.</summary>
    private sealed class ShippedWait(AssemblyShipment shipment, byte[] request) : ShippedAction(shipment, "ShippedEntries", "ShippedEntries.WaitEntry")
    {
        public override string Fingerprint => $"wait {Convert.ToHexStringLower(SHA256.HashData(request))}";

        public override ValueTask<ReadOnlyMemory<byte>> EncodeRequestAsync(TaskContext context, CancellationToken cancellationToken) => new(request);

        public override ActionResult DecodeReply(TaskContext context, ReadOnlyMemory<byte> reply) => ActionResult.Passed(reply.ToArray());

        public override ValueTask<ActionResult> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
            new(ActionResult.Errored("this test runs the entry on nodes only"));
    }
}
