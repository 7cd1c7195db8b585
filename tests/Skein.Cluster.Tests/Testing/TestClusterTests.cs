using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Skein.Cluster.Membership;
using Skein.Cluster.Tests.Hosting;
using Skein.Testing;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Tests.Testing;

/// <summary>The test cluster itself: a coordinator and nodes in this process, each in its own host, over real gRPC.</summary>
public sealed class TestClusterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TestClusterBuilder Greeting(int nodes) => new TestClusterBuilder()
        .WithNodes(nodes)
        .WithStartTimeout(TestPatience.Ceiling)
        .ConfigureNodeServices((_, services) => services.AddSingleton(new GreetingWords("hello")))
        .AddService<IGreeting, Greeting>();

    [Fact]
    public async Task Two_nodes_join_and_a_client_calls_a_service_registered_through_the_builder()
    {
        await using var cluster = await Greeting(nodes: 2).StartAsync(Ct);
        await using var client = await cluster.ConnectClientAsync(cancellationToken: Ct);

        var greeting = await client.GetServiceAsync<IGreeting>(Ct);

        Assert.Equal(["node-0", "node-1"], cluster.Nodes.Select(node => node.Name));
        Assert.Equal(2, cluster.Coordinator.Membership.AliveCount);
        Assert.Matches("^hello, Ada, from node-[01]$", await greeting.GreetAsync("Ada", Ct));
        Assert.All(cluster.Nodes, node => Assert.Equal(cluster.Address, node.Coordinator));
    }

    [Fact]
    public async Task A_stopped_node_leaves_and_the_rest_serve_on()
    {
        await using var cluster = await Greeting(nodes: 2).StartAsync(Ct);
        var leaving = cluster.Nodes[0];
        var leavingId = leaving.NodeId;

        await cluster.StopNodeAsync(leaving, Ct);

        Assert.Equal(["node-1"], cluster.Nodes.Select(node => node.Name));
        var left = Assert.Single(cluster.Coordinator.Membership.List(), member => member.NodeId == leavingId);
        Assert.NotEqual(MemberState.Alive, left.State);
        await using var client = await cluster.ConnectClientAsync(cancellationToken: Ct);
        var greeting = await client.GetServiceAsync<IGreeting>(Ct);
        Assert.Equal("hello, Ada, from node-1", await greeting.GreetAsync("Ada", Ct));
    }

    [Fact]
    public async Task Nodes_are_configured_by_index_and_a_later_node_gets_the_same_configuration()
    {
        await using var cluster = await Greeting(nodes: 1)
            .ConfigureNode((index, options) => options.Labels["index"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .StartAsync(Ct);

        var later = await cluster.StartNodeAsync(cancellationToken: Ct);

        Assert.Equal("node-1", later.Name);
        Assert.Equal("1", cluster.ServicesOf(later).GetRequiredService<IOptions<NodeOptions>>().Value.Labels["index"]);
        Assert.Contains("greeting", later.Services!.ServiceNames);
        Assert.Equal(2, cluster.Coordinator.Membership.AliveCount);
    }

    [Fact]
    public async Task A_node_with_a_bad_option_is_refused_with_the_options_own_message_and_the_cluster_goes_on()
    {
        await using var cluster = await Greeting(nodes: 0).StartAsync(Ct);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            cluster.StartNodeAsync("node-bad", host => host.Services.Configure<NodeOptions>(options => options.Cores = 0), Ct));

        Assert.Equal("cores must be at least 1, not 0", ex.Message);
        Assert.Empty(cluster.Nodes);
        var good = await cluster.StartNodeAsync("node-good", cancellationToken: Ct);
        Assert.Equal([good], cluster.Nodes);
    }

    [Fact]
    public async Task Disposing_stops_everything_and_removes_the_state_directory()
    {
        var cluster = await Greeting(nodes: 1).StartAsync(Ct);
        var state = cluster.StateDirectory;
        Assert.True(File.Exists(cluster.Coordinator.TokenPath));

        await cluster.DisposeAsync();

        Assert.False(Directory.Exists(state));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => cluster.StartNodeAsync(cancellationToken: Ct));
    }
}
