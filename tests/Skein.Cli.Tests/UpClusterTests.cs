using System.Text.RegularExpressions;
using Skein.Cli.Commands;
using Skein.Cluster;
using Skein.Examples.Services;
using Skein.Cluster.Client;

namespace Skein.Cli.Tests;

/// <summary>
/// A local cluster of <c>skein up --nodes 2</c> hosting the example services, called with <c>skein call</c> as a user
/// would: the routing of calls by name, and deadlines that reach the node.
/// </summary>
[Collection(ServiceClusterTests.ModuleCollection)]
public sealed class UpClusterTests(UpCluster cluster) : IClassFixture<UpCluster>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Skein_up_reports_the_nodes_it_was_asked_for_and_has_them()
    {
        Assert.Contains("with 2 nodes", cluster.Up.Stdout);
        var nodes = await cluster.RunAsync("nodes");
        Assert.True(nodes.ExitCode == 0, nodes.ToString());
        Assert.Matches(@"(?m)^node-1\s+\S+\s+alive", nodes.Stdout);
        Assert.Matches(@"(?m)^node-2\s+\S+\s+alive", nodes.Stdout);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Calls_by_name_to_a_singleton_reach_the_one_object_typed_proxies_reach()
    {
        // Each skein call is a client of its own: were they spread over the nodes, the counts would come from two counters.
        var counts = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            var call = await cluster.RunAsync("call", "counter", "Increment", "[1]");
            Assert.True(call.ExitCode == 0, call.ToString());
            counts.Add(long.Parse(call.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture));
        }
        for (var i = 1; i < counts.Count; i++) Assert.True(counts[i] == counts[i - 1] + 1, $"counts {string.Join(", ", counts)} came from more than one counter");

        await using var client = await SkeinClient.ConnectAsync(Path.Combine(cluster.Directory.Path, ".skein"), cancellationToken: Ct);
        var counter = await client.GetServiceAsync<ICounter>(Ct);
        Assert.Equal(counts[^1], await counter.GetAsync());
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task An_expired_timeout_is_reported_as_timed_out_and_cancels_the_handler_on_the_node()
    {
        var before = await CancelledWaitsAsync();

        // Long enough that reaching the cluster on a loaded machine does not use it up; the wait is far longer.
        var call = await cluster.RunAsync("call", "counter", "Wait", "[600]", "--timeout", "5s");

        Assert.True(call.ExitCode == 1, call.ToString());
        Assert.Matches(@"skein: counter\.Wait timed out after 5s \(--timeout\) on node node-\d", call.Stderr);
        Assert.DoesNotContain("Cancelled", call.Stderr);
        Assert.DoesNotContain("cancelled", call.Stderr);
        // The node heard the deadline and cancelled the handler's token: the service counted a cancelled wait.
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TestPatience.Ceiling);
        while (await CancelledWaitsAsync() <= before) await poll.WaitForNextTickAsync(deadline.Token);
    }

    private async Task<long> CancelledWaitsAsync()
    {
        var call = await cluster.RunAsync("call", "counter", "CancelledWaits");
        Assert.True(call.ExitCode == 0, call.ToString());
        return long.Parse(call.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Skein_up_names_the_nodes_that_did_not_join()
    {
        Assert.Null(UpCommand.Shortfall(["node-1", "node-2"], ["node-2", "node-1"]));
        Assert.Equal("only 1 of 2 nodes joined (missing: node-2)", UpCommand.Shortfall(["node-1", "node-2"], ["node-1"]));
        Assert.Equal("only 0 of 2 nodes joined (missing: node-1, node-2)", UpCommand.Shortfall(["node-1", "node-2"], []));
    }
}

/// <summary><c>skein up --nodes 2 --module</c> the example services, in a directory of its own.</summary>
public sealed class UpCluster : IAsyncLifetime
{
    internal TempDirectory Directory { get; } = new();

    internal SkeinProcess Up { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Up = SkeinProcess.Start(Directory.Path, "up", "--nodes", "2", "--module", ServiceClusterTests.Module);
        try
        {
            await Up.WaitForOutputAsync("cluster up at", TestPatience.Ceiling);
        }
        catch (Exception ex)
        {
            var output = $"skein up did not come up: {ex.Message}\n{Up.Stdout}\n{Up.Stderr}";
            await Up.DisposeAsync();
            throw new InvalidOperationException(output, ex);
        }
        Assert.Matches(new Regex("cluster up at http://127.0.0.1:\\d+ with 2 nodes"), Up.Stdout);
    }

    internal Task<SkeinResult> RunAsync(params string[] args) => SkeinProcess.RunAsync(Directory.Path, args);

    public async ValueTask DisposeAsync()
    {
        if (Up is not null)
        {
            Up.Signal(Posix.SigInt);
            try
            {
                await Up.WaitForExitAsync(TestPatience.Ceiling);
            }
            finally
            {
                await Up.DisposeAsync();
            }
        }
        Directory.Dispose();
    }
}
