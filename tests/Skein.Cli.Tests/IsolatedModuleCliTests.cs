using Skein.Cluster;
using Skein.Examples.Services;
using Skein.Cluster.Client;

namespace Skein.Cli.Tests;

/// <summary>
/// The example services run isolated, in a module host beside a real node: started with <c>skein node
/// --isolated-module</c>, and loaded at run time with <c>skein module load --isolated</c>, then called with
/// <c>skein call</c> (JSON) and listed by <c>skein module list</c>.
/// </summary>
[Collection(ServiceClusterTests.ModuleCollection)]
public sealed class IsolatedModuleCliTests
{
    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_node_hosts_the_example_services_isolated_and_skein_call_reaches_them()
    {
        using var directory = new TempDirectory();
        var (coordinator, _) = await ExampleCluster.StartCoordinatorAsync(directory.Path);
        await using var _coordinator = coordinator;
        await using var node = SkeinProcess.Start(directory.Path,
            "node", "--name", "iso", "--isolated-module", ServiceClusterTests.Module, "--allow-any-module-path");
        await node.WaitForOutputAsync("node iso joined", ServiceClusterTests.Timeout);
        Assert.Contains("from Skein.Examples.Services.dll (isolated)", node.Stdout, StringComparison.Ordinal);

        var echo = await SkeinProcess.RunAsync(directory.Path, "call", "echo", "Echo", """["hi"]""");
        Assert.True(echo.ExitCode == 0, echo.ToString());
        Assert.Equal("\"hi\"", echo.Stdout.Trim());
        var list = await SkeinProcess.RunAsync(directory.Path, "module", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Matches(@"(?m)^iso\s+Skein\.Examples\.Services\s+isolated\s+active\s", list.Stdout);

        var unload = await SkeinProcess.RunAsync(directory.Path, "module", "unload", "Skein.Examples.Services");
        Assert.True(unload.ExitCode == 0, unload.ToString());
        var load = await SkeinProcess.RunAsync(directory.Path, "module", "load", "--isolated", "--name", "examples", ServiceClusterTests.Module);
        Assert.True(load.ExitCode == 0, load.ToString());
        Assert.Contains("module examples (isolated) is active on node iso", load.Stdout, StringComparison.Ordinal);
        var again = await SkeinProcess.RunAsync(directory.Path, "call", "echo", "Echo", """["again"]""");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal("\"again\"", again.Stdout.Trim());
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Skein_up_hosts_an_isolated_module_on_each_node_and_skein_down_stops_the_hosts_too()
    {
        using var directory = new TempDirectory();
        await using var up = SkeinProcess.Start(directory.Path, "up", "--nodes", "1", "--isolated-module", ServiceClusterTests.Module);
        await up.WaitForOutputAsync("cluster up at", ServiceClusterTests.Timeout);

        int host;
        await using (var client = await SkeinClient.ConnectAsync(Path.Combine(directory.Path, ".skein"), cancellationToken: TestContext.Current.CancellationToken))
        {
            var worker = await client.GetServiceAsync<IWorker>(TestContext.Current.CancellationToken);
            var done = await worker.ProcessAsync("item", TestContext.Current.CancellationToken);
            Assert.Equal("ITEM", done.Item);
            Assert.Equal("node-1", done.Node); // the host runs with its node's SKEIN_NODE
            host = done.ProcessId; // the module host's, not the node's
        }
        Assert.True(Posix.IsAlive(host));

        var down = await SkeinProcess.RunAsync(directory.Path, "down");
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Equal(0, await up.WaitForExitAsync(ServiceClusterTests.Timeout));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(ServiceClusterTests.Timeout);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (Posix.IsAlive(host)) await poll.WaitForNextTickAsync(deadline.Token);
    }
}
