using Microsoft.Extensions.Logging.Abstractions;
using Skein.Cluster;
using Skein.Cluster.Services;
using Skein.Cluster.Addressing;
using Skein.Cluster.Configuration;

namespace Skein.Cli.Tests;

public partial class ClusterTests
{
    private static NodeAgent ServiceNode(string address, string directory, string name, string callAddress, params ServiceDescription[] services) => new(
        new NodeOptions
        {
            Join = address,
            Token = ClusterToken.Read(Path.Combine(directory, ".skein", "token")),
            Name = name,
            Address = callAddress,
            Services = services,
        },
        TimeProvider.System, NullLogger<NodeAgent>.Instance);

    private static async Task<Task> RunNodeAsync(NodeAgent node, CancellationToken stop)
    {
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = node.RunAsync(_ => joined.TrySetResult(), stop);
        await Task.WhenAny(joined.Task, running).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        if (!joined.Task.IsCompleted) await running; // surfaces the failure
        return running;
    }

    [Fact]
    public async Task Skein_services_lists_what_the_nodes_host()
    {
        using var dir = new TempDirectory();
        var (coordinator, address) = await StartCoordinatorAsync(dir.Path);
        await using var _ = coordinator;
        var echo = new ServiceDescription
        {
            Name = "echo",
            Contract = "Tests.IEcho",
            Methods = [new ServiceMethodDescription { Name = "Echo", Parameters = ["String"], Result = "String" }],
        };
        var ticks = new ServiceDescription
        {
            Name = "ticks",
            Mode = InstanceMode.Singleton,
            Capacity = 8,
            Methods =
            [
                new ServiceMethodDescription { Name = "Count", Parameters = ["Int32", "TimeSpan"], Result = "Int64", Streaming = true },
                new ServiceMethodDescription { Name = "Reset" },
            ],
        };
        using var stop = new CancellationTokenSource();
        using var alpha = ServiceNode(address, dir.Path, "alpha", "127.0.0.1:7801", echo, ticks);
        using var beta = ServiceNode(address, dir.Path, "beta", "127.0.0.1:7802", echo);
        var running = new[] { await RunNodeAsync(alpha, stop.Token), await RunNodeAsync(beta, stop.Token) };

        var services = await SkeinProcess.RunAsync(dir.Path, "services");
        Assert.True(services.ExitCode == 0, services.ToString());
        var lines = services.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^SERVICE\s+MODE\s+CAPACITY\s+NODES\s+METHODS$", lines[0]);
        Assert.Matches(@"^echo\s+per-connection\s+unlimited\s+alpha,beta\s+Echo\(String\) → String$", lines[1]);
        Assert.Matches(@"^ticks\s+singleton\s+8\s+alpha\s+Count\(Int32, TimeSpan\) → stream Int64, Reset\(\)$", lines[2]);

        var nodes = await SkeinProcess.RunAsync(dir.Path, "nodes");
        Assert.True(nodes.ExitCode == 0, nodes.ToString());
        Assert.Contains("SERVICES", nodes.Stdout);
        Assert.Matches(@"(?m)^alpha\s+127\.0\.0\.1\s+alive\s.*\secho,ticks\s", nodes.Stdout);
        Assert.Matches(@"(?m)^beta\s+127\.0\.0\.1\s+alive\s.*\secho\s", nodes.Stdout);

        await stop.CancelAsync();
        await Task.WhenAll(running).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        var none = await SkeinProcess.RunAsync(dir.Path, "services");
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Contains("no services", none.Stdout);
        await StopAsync(coordinator);
    }

    [Fact]
    public async Task Skein_services_without_a_cluster_says_how_to_get_one()
    {
        using var dir = new TempDirectory();
        var services = await SkeinProcess.RunAsync(dir.Path, "services");
        Assert.True(services.ExitCode == 2, services.ToString());
        Assert.Contains("no cluster given and no running coordinator", services.Stderr);
        Assert.Contains("skein up", services.Stderr);
    }
}
