using System.Text;
using Skein.Cluster.Client;
using Skein.Cluster.Execution;
using Skein.Cluster.Tests.Modules;
using Skein.Engine;
using Skein.Testing;

namespace Skein.Cluster.Tests.Execution;

/// <summary>
/// C# code shipped to nodes through <see cref="ClusterExecutor"/>: a <see cref="ShippedAction"/> whose entry lives in
/// tests/Modules/ShippedEntries (an assembly the tests do not reference) runs on the node it is placed on, with its
/// request and reply, log lines and sub-results; the folder is uploaded and fetched once; bad shipments and entries
/// error naming what is wrong; cancellation reaches the entry.
/// </summary>
public sealed class ShippedAttemptTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TestPatience.Ceiling;
    private TestCluster _cluster = null!;
    private SkeinClient _client = null!;
    private ClusterExecutor _executor = null!;
    private readonly TempDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _cluster = await new TestClusterBuilder().WithNodes(2).ConfigureNode((_, options) => options.Slots = 4).StartAsync(Ct);
        _client = await _cluster.ConnectClientAsync(cancellationToken: Ct);
        _executor = new ClusterExecutor(_client);
    }

    public async ValueTask DisposeAsync()
    {
        await _executor.DisposeAsync();
        await _client.DisposeAsync();
        await _cluster.DisposeAsync();
        _dir.Dispose();
    }

    private RunOptions Options(ClusterExecutor? executor = null) =>
        new() { Executor = executor ?? _executor, Workers = 6, StateDirectory = Path.Combine(_dir.Path, ".skein") };

    /// <summary>The test entries' folder, copied so that this test's shipment is its own (the hash is of the folder's content, and a marker makes it unique).</summary>
    private AssemblyShipment OwnShipment()
    {
        var source = Path.GetDirectoryName(TestModules.ShippedEntries)!;
        var copy = Path.Combine(_dir.Path, "shipment");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        File.WriteAllText(Path.Combine(copy, "marker.txt"), Guid.NewGuid().ToString());
        return new AssemblyShipment(Path.Combine(copy, "ShippedEntries.dll"));
    }

    private static TaskSpec Shipped(string id, AssemblyShipment shipment, string entryType, byte[]? request = null, string? node = null, string entryAssembly = "ShippedEntries") =>
        new()
        {
            Id = id,
            Action = new TestShippedAction(shipment, entryType, request ?? [], entryAssembly),
            Placement = node is null ? null : new TaskPlacement { Node = node },
        };

    private static async Task<(RunSummary Summary, List<TaskResult> Results)> RunAsync(Job job, RunOptions options)
    {
        await using var run = await JobRun.StartAsync(job, options, Ct);
        var results = new List<TaskResult>();
        await foreach (var e in run.ReadEventsAsync(Ct))
            if (e is TaskFinished finished) results.Add(finished.Result);
        return (await run.Completion.WaitAsync(Patience, Ct), results);
    }

    private static Dictionary<string, string> Fields(TaskResult result) =>
        Encoding.UTF8.GetString((byte[])result.Value!).Split(';').Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);

    [Fact]
    public async Task An_attempt_runs_on_the_node_it_is_placed_on_with_its_log_lines_sub_results_and_reply()
    {
        var node = _cluster.Nodes[1].Name;
        var placements = new List<AttemptPlacement>();
        _executor.Placed += p => { lock (placements) placements.Add(p); };

        var (_, results) = await RunAsync(new Job("who").Add(Shipped("who", OwnShipment(), "ShippedEntries.WhoEntry", node: node)), Options());

        var result = Assert.Single(results);
        // Passed, with a warned sub-result: the attempt's outcome is the worst of its own and its results'.
        Assert.Equal(Outcome.Warned, result.Outcome);
        var reply = Fields(result);
        Assert.Equal(node, reply["node"]);
        Assert.Equal(Environment.ProcessId.ToString(), reply["pid"]);
        Assert.StartsWith("shipment:", reply["context"]);
        Assert.Equal("ShippedEntries", reply["main"]);
        Assert.Equal("who", reply["task"]);
        Assert.Equal("1", reply["attempt"]);
        Assert.Equal("yes", reply["client"]);
        var placement = Assert.Single(placements);
        Assert.Equal(node, placement.Node);
        Assert.True(placement.FreshWorkingDirectory);
        Assert.Equal(placement.WorkingDirectory, reply["workdir"]);
        Assert.Equal("written", File.ReadAllText(Path.Combine(placement.WorkingDirectory, "here.txt")));
        Assert.Equal($"first line from {node}\nsecond line\n", File.ReadAllText(result.LogPath!));
        Assert.Equal(Outcome.Passed, Assert.Single(result.SubResults, s => s.Name == "sub-a").Outcome);
        var warned = Assert.Single(result.SubResults, s => s.Name == "sub-b");
        Assert.Equal(Outcome.Warned, warned.Outcome);
        Assert.Equal("careful", warned.Message);
    }

    [Fact]
    public async Task Request_and_reply_bytes_cross_unchanged_also_past_the_default_message_size()
    {
        var large = new byte[5 * 1024 * 1024];
        new Random(14).NextBytes(large);
        var shipment = OwnShipment();
        var job = new Job("echo")
            .Add(Shipped("large", shipment, "ShippedEntries.EchoEntry", large))
            .Add(Shipped("empty", shipment, "ShippedEntries.EchoEntry", []));

        var (summary, results) = await RunAsync(job, Options());

        Assert.True(summary.Succeeded, string.Join("\n", results));
        Assert.Equal(large, (byte[])results.Single(r => r.TaskId == "large").Value!);
        Assert.Empty((byte[])results.Single(r => r.TaskId == "empty").Value!);
        Assert.Equal($"echo {large.Length} bytes\n", File.ReadAllText(results.Single(r => r.TaskId == "large").LogPath!));
    }

    [Fact]
    public async Task A_shipment_is_uploaded_once_and_fetched_once_per_node_however_many_attempts_run_it()
    {
        var shipment = OwnShipment();
        var job = new Job("many");
        for (var i = 0; i < 12; i++) job.Add(Shipped($"t{i}", shipment, "ShippedEntries.WhoEntry", node: _cluster.Nodes[i % 2].Name));

        var (summary, results) = await RunAsync(job, Options());

        Assert.Equal(12, results.Count);
        Assert.True(summary.Succeeded, string.Join("\n", results));
        Assert.Equal(1, _executor.ShipmentsUploaded);
        Assert.Equal(1, _cluster.Coordinator.Shipments.Stored);
        Assert.All(_cluster.Nodes, n => Assert.Equal(1, n.Shipments!.Fetched));
        Assert.All(_cluster.Nodes, n => Assert.Equal(1, n.Shipments!.Loads));
        Assert.Single(Directory.EnumerateFileSystemEntries(_cluster.Nodes[0].Shipments!.Directory));

        // Another executor (another run's process) finds it on the coordinator; the nodes have it already.
        await using var second = new ClusterExecutor(_client);
        var (again, _) = await RunAsync(new Job("again").Add(Shipped("t", shipment, "ShippedEntries.EchoEntry", [1, 2, 3])), Options(second));
        Assert.True(again.Succeeded);
        Assert.Equal(0, second.ShipmentsUploaded);
        Assert.Equal(1, _cluster.Coordinator.Shipments.Stored);
        Assert.Equal(2, _cluster.Nodes.Sum(n => n.Shipments!.Fetched));
    }

    [Fact]
    public async Task A_bad_shipment_or_entry_ends_the_attempt_naming_the_node_the_assembly_and_the_type()
    {
        var node = _cluster.Nodes[0].Name;
        var shipment = OwnShipment();
        var missingMain = new AssemblyShipment(Path.Combine(Path.GetDirectoryName(shipment.AssemblyPath)!, "Absent.dll"));
        var job = new Job("bad")
            .Add(Shipped("no-type", shipment, "ShippedEntries.Missing", node: node))
            .Add(Shipped("not-entry", shipment, "ShippedEntries.NotAnEntry", node: node))
            .Add(Shipped("no-assembly", shipment, "Nope.Entry", node: node, entryAssembly: "Nope.Assembly"))
            .Add(Shipped("throws", shipment, "ShippedEntries.ThrowingEntry", node: node))
            .Add(Shipped("no-main", missingMain, "ShippedEntries.EchoEntry", node: node))
            .Add(Shipped("no-folder", new AssemblyShipment(Path.Combine(_dir.Path, "nowhere", "X.dll")), "X.Entry", entryAssembly: "X"));

        var (summary, results) = await RunAsync(job, Options());

        Assert.False(summary.Succeeded);
        TaskResult Of(string id) => results.Single(r => r.TaskId == id);
        Assert.Equal(Outcome.Errored, Of("no-type").Outcome);
        Assert.Equal($"cannot run ShippedEntries.Missing (ShippedEntries) on node {node}: the assembly ShippedEntries has no type ShippedEntries.Missing", Of("no-type").Reason);
        Assert.Equal(Outcome.Errored, Of("not-entry").Outcome);
        Assert.Equal($"cannot run ShippedEntries.NotAnEntry (ShippedEntries) on node {node}: ShippedEntries.NotAnEntry in ShippedEntries does not implement IShippedEntry",
            Of("not-entry").Reason);
        Assert.Equal(Outcome.Errored, Of("no-assembly").Outcome);
        Assert.StartsWith($"cannot run Nope.Entry (Nope.Assembly) on node {node}: the assembly Nope.Assembly is neither in shipment ", Of("no-assembly").Reason);
        Assert.Equal(Outcome.Failed, Of("throws").Outcome);
        Assert.Equal($"ShippedEntries.ThrowingEntry (ShippedEntries) on node {node} threw InvalidOperationException: the entry broke on purpose", Of("throws").Reason);
        Assert.Equal(Outcome.Errored, Of("no-main").Outcome);
        Assert.Contains($"does not hold its main assembly Absent.dll", Of("no-main").Reason);
        Assert.StartsWith($"cannot ship ShippedEntries.EchoEntry (ShippedEntries) from {missingMain.AssemblyPath}", Of("no-main").Reason);
        Assert.Equal(Outcome.Errored, Of("no-folder").Outcome);
        Assert.Contains("the shipment folder", Of("no-folder").Reason);
        Assert.Contains("does not exist", Of("no-folder").Reason);
    }

    [Fact]
    public async Task Cancelling_the_run_fires_the_entrys_token_on_its_node()
    {
        var signal = Path.Combine(_dir.Path, "started");
        var job = new Job("wait").Add(Shipped("wait", OwnShipment(), "ShippedEntries.WaitEntry", Encoding.UTF8.GetBytes(signal)));
        await using var run = await JobRun.StartAsync(job, Options(), Ct);
        var events = new List<RunEvent>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in run.ReadEventsAsync(Ct)) lock (events) events.Add(e);
        }, Ct);

        await WaitForFileAsync(signal);
        run.Cancel();
        await run.Completion.WaitAsync(Patience, Ct);
        await reading.WaitAsync(Patience, Ct);

        Assert.Equal(Outcome.Cancelled, Assert.Single(events.OfType<TaskFinished>()).Result.Outcome);
        // The entry saw its token fire where it ran.
        await WaitForFileAsync(signal + ".cancelled");
    }

    /// <summary>Waits for a file the entry writes (it runs on a node, in a load context of its own: a file is what it can say things with).</summary>
    private static async Task WaitForFileAsync(string path)
    {
        using var ceiling = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        ceiling.CancelAfter(Patience);
        while (!File.Exists(path)) await Task.Delay(20, ceiling.Token);
    }
}
