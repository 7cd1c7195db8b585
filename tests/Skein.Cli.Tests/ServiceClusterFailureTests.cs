using System.Collections.Concurrent;
using Skein.Cluster;
using Skein.Examples.Services;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using Skein.Cluster.Services;

namespace Skein.Cli.Tests;

/// <summary>
/// Remote services across real processes while processes die: a node killed with SIGKILL, a coordinator killed and
/// restarted, and a local cluster of skein up stopped by skein down. Each test has a cluster of its own.
/// </summary>
[Collection(ServiceClusterTests.Collection)]
public sealed class ServiceClusterFailureTests
{
    private static readonly TimeSpan Timeout = ServiceClusterTests.Timeout;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string TokenOf(string directory) => ClusterToken.Read(Path.Combine(directory, ".skein", ClusterToken.FileName));

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_node_killed_with_sigkill_fails_its_calls_in_flight_with_node_lost_and_the_pool_keeps_answering()
    {
        using var dir = new TempDirectory();
        var (coordinator, address) = await ExampleCluster.StartCoordinatorAsync(dir.Path);
        await using var _c = coordinator;
        await using var victim = await ExampleCluster.StartNodeAsync(dir.Path, "doomed");
        await using var survivor = await ExampleCluster.StartNodeAsync(dir.Path, "survivor");
        // Calls get a deadline far past every wait below: a call that fails in this test fails without waiting for it.
        var patient = new SkeinClientOptions { CallTimeout = Timeout * 5 };
        await using var client = await SkeinClient.ConnectAsync(address, TokenOf(dir.Path), patient, Ct);
        await ExampleCluster.AnswersFromAsync(client, "doomed", "survivor");
        // The singleton lives on the first node by name: the doomed one.
        var counter = await client.GetServiceAsync<ICounter>(Ct);
        Assert.Equal(1, await counter.IncrementAsync(1));
        await using var directory = new ServiceDirectory(address, TokenOf(dir.Path));
        var gone = new TaskCompletionSource<NodeGoneEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        directory.NodeGone += (_, e) => gone.TrySetResult(e);
        await directory.StartAsync(Ct);

        // A few callers keep the pool busy, so calls are in flight to the victim when it dies.
        var worker = await client.GetServiceAsync<IWorker>(Timeout, Ct);
        var answers = new ConcurrentQueue<(string Node, TimeSpan At)>();
        var failures = new ConcurrentQueue<(RemoteException Error, TimeSpan At)>();
        long killedAt = 0;
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var done = await worker.ProcessAsync("item", Ct);
                    answers.Enqueue((done.Node, Since(Volatile.Read(ref killedAt))));
                }
                catch (RemoteException ex)
                {
                    failures.Enqueue((ex, Since(Volatile.Read(ref killedAt))));
                }
            }
        }, Ct)).ToArray();
        try
        {
            await WaitUntilAsync(() => answers.Count(a => a.Node == "doomed") >= 20);
            Volatile.Write(ref killedAt, TimeProvider.System.GetTimestamp());
            victim.Signal(Posix.SigKill);
            // Lost because its session broke, not at the missed heartbeats seconds later.
            await coordinator.WaitForOutputAsync("node doomed lost: its session broke", Timeout);
            var lost = await gone.Task.WaitAsync(Timeout, Ct);
            Assert.Equal("doomed", lost.NodeName);
            Assert.True(lost.Lost);
            await WaitUntilAsync(() => answers.Count(a => a.At > TimeSpan.Zero && a.Node == "survivor") >= 50);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(callers).WaitAsync(Timeout, Ct);
        }

        // Every failure is a call the victim had taken when it died: NodeLost, naming it, long before any deadline (the
        // deadline is past the test's own timeout, so only the session breaking can have failed them).
        var summary = string.Join("\n", failures.GroupBy(f => (f.Error.Kind, f.Error.Node))
            .Select(g => $"{g.Count()} × {g.Key.Kind} from '{g.Key.Node}' within {g.Max(f => f.At).TotalMilliseconds:0} ms of the kill: {g.First().Error.Message}"));
        Assert.NotEmpty(failures);
        Assert.True(failures.All(f => f.Error.Kind == RemoteErrorKind.NodeLost && f.Error.Node == "doomed" && f.Error.Message.Contains("doomed") && f.Error.IsRetriable), summary);
        Assert.True(failures.Count <= 4, $"more failures than callers in flight:\n{summary}");

        // A proxy bound to the lost node fails at once naming it; a new one finds the singleton on the survivor.
        var bound = await Assert.ThrowsAsync<RemoteException>(() => counter.GetAsync()).WaitAsync(Timeout, Ct);
        Assert.Equal(RemoteErrorKind.NodeLost, bound.Kind);
        Assert.Equal("doomed", bound.Node);
        var moved = await client.GetServiceAsync<ICounter>(Ct);
        Assert.Equal(1, await moved.IncrementAsync(1));

        var nodes = await SkeinProcess.RunAsync(dir.Path, "nodes");
        Assert.Matches(@"(?m)^doomed\s+\S+\s+lost", nodes.Stdout);
        Assert.Matches(@"(?m)^survivor\s+\S+\s+alive", nodes.Stdout);
        var services = await SkeinProcess.RunAsync(dir.Path, "services");
        Assert.Matches(@"(?m)^worker\s+pooled\s+\S+\s+survivor\s", services.Stdout);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_node_stopped_while_a_client_is_connected_leaves_promptly_and_calls_go_to_the_other()
    {
        using var dir = new TempDirectory();
        var (coordinator, address) = await ExampleCluster.StartCoordinatorAsync(dir.Path);
        await using var _c = coordinator;
        await using var leaving = await ExampleCluster.StartNodeAsync(dir.Path, "leaving");
        await using var staying = await ExampleCluster.StartNodeAsync(dir.Path, "staying");
        await using var client = await SkeinClient.ConnectAsync(address, TokenOf(dir.Path), cancellationToken: Ct);
        await ExampleCluster.AnswersFromAsync(client, "leaving", "staying"); // the client holds a connection to each

        leaving.Signal(Posix.SigInt);
        Assert.Equal(0, await leaving.WaitForExitAsync(Timeout));
        // It said goodbye: left, not lost at its missed heartbeats.
        await coordinator.WaitForOutputAsync("node leaving left", Timeout);
        Assert.DoesNotContain("node leaving lost", coordinator.Stdout + coordinator.Stderr);

        var worker = await client.GetServiceAsync<IWorker>(Ct);
        for (var i = 0; i < 10; i++) Assert.Equal("staying", (await worker.ProcessAsync("item", Ct)).Node);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task After_the_coordinator_is_killed_and_restarted_nodes_register_again_and_clients_call_within_five_seconds()
    {
        using var dir = new TempDirectory();
        var (coordinator, address) = await ExampleCluster.StartCoordinatorAsync(dir.Path);
        await using var _c = coordinator;
        await using var alpha = await ExampleCluster.StartNodeAsync(dir.Path, "alpha");
        await using var beta = await ExampleCluster.StartNodeAsync(dir.Path, "beta");
        await using var client = await SkeinClient.ConnectAsync(address, TokenOf(dir.Path), cancellationToken: Ct);
        await using var echo = await client.GetServiceAsync<IEcho>(Ct);
        Assert.Equal("before", await echo.EchoAsync("before", Ct));

        coordinator.Signal(Posix.SigKill);
        await coordinator.WaitForExitAsync(Timeout);
        // Calls go straight to the nodes: the coordinator being away does not stop them.
        Assert.Equal("meanwhile", await echo.EchoAsync("meanwhile", Ct));

        var (restarted, _) = await ExampleCluster.StartCoordinatorAsync(dir.Path, address.Authority);
        await using var _r = restarted;
        await Task.WhenAll(
            alpha.WaitForOutputAsync("registered again", Timeout),
            beta.WaitForOutputAsync("registered again", Timeout));

        // The client from before the restart, and a new one finding the cluster through the state directory.
        await ExampleCluster.AnswersFromAsync(client, "alpha", "beta");
        Assert.Equal("after", await echo.EchoAsync("after", Ct));
        await using var fresh = await SkeinClient.ConnectAsync(Path.Combine(dir.Path, ".skein"), cancellationToken: Ct);
        await ExampleCluster.AnswersFromAsync(fresh, "alpha", "beta");
        var counter = await fresh.GetServiceAsync<ICounter>(Ct);
        Assert.True(await counter.IncrementAsync(1) >= 1);

        var call = await SkeinProcess.RunAsync(dir.Path, "call", "echo", "Echo", """["again"]""");
        Assert.True(call.ExitCode == 0, call.ToString());
        Assert.Equal("\"again\"", call.Stdout.Trim());
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Skein_up_with_the_example_module_then_skein_down_leaves_no_process_behind()
    {
        using var dir = new TempDirectory();
        await using var up = SkeinProcess.Start(dir.Path, "up", "--nodes", "2", "--module", ServiceClusterTests.Module);
        await up.WaitForOutputAsync("cluster up at", Timeout);

        var nodes = await ServingNodesAsync(dir.Path);
        var down = await SkeinProcess.RunAsync(dir.Path, "down");
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Equal(0, await up.WaitForExitAsync(Timeout));
        await AssertGoneAsync(nodes.Values);
        Assert.False(File.Exists(Path.Combine(dir.Path, ".skein", "up.pid")));
        Assert.False(File.Exists(Path.Combine(dir.Path, ".skein", "cluster.json")));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Skein_up_with_the_example_module_stopped_by_sigterm_leaves_no_process_behind()
    {
        using var dir = new TempDirectory();
        await using var up = SkeinProcess.Start(dir.Path, "up", "--nodes", "2", "--module", ServiceClusterTests.Module);
        await up.WaitForOutputAsync("cluster up at", Timeout);

        var nodes = await ServingNodesAsync(dir.Path);
        up.Signal(Posix.SigTerm);
        Assert.Equal(0, await up.WaitForExitAsync(Timeout));
        await AssertGoneAsync(nodes.Values);
    }

    /// <summary>The nodes of skein up answer the pooled worker; returns their process ids, as the nodes report them.</summary>
    private static async Task<Dictionary<string, int>> ServingNodesAsync(string directory)
    {
        await using var client = await SkeinClient.ConnectAsync(Path.Combine(directory, ".skein"), cancellationToken: Ct);
        var nodes = await ExampleCluster.AnswersFromAsync(client, "node-1", "node-2");
        Assert.Equal(2, nodes.Values.Distinct().Count());
        return nodes;
    }

    private static async Task AssertGoneAsync(IEnumerable<int> pids)
    {
        // The node processes are children of skein up: gone, or going, once it has exited.
        try
        {
            await WaitUntilAsync(() => !pids.Any(Posix.IsAlive));
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"node processes still running: {string.Join(", ", pids.Where(Posix.IsAlive))}");
        }
    }

    private static TimeSpan Since(long timestamp) => timestamp == 0 ? TimeSpan.MinValue : TimeProvider.System.GetElapsedTime(timestamp);

    /// <summary>Polls <paramref name="condition"/> until it holds; throws when <paramref name="within"/> (default <see cref="TestPatience.Ceiling"/>) passes first.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? within = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(within ?? Timeout);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (!condition()) await poll.WaitForNextTickAsync(deadline.Token);
    }
}
