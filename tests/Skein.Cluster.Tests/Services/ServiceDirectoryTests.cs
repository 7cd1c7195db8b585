using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Grpc.Net.Client;
using Skein.Cluster.Events;
using Skein.Cluster.Membership;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Tests.Services;

/// <summary>A real coordinator on a free loopback port; nodes, a raw session and the directory in this process, on real time.</summary>
public sealed class ServiceDirectoryTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TestPatience.Ceiling;
    private readonly TempDirectory _state = new();
    private readonly CancellationTokenSource _stopNodes = new();
    private readonly List<(NodeAgent Agent, Task Running)> _nodes = [];
    private Coordinator _coordinator = null!;
    private string _token = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _coordinator = await Coordinator.StartAsync(new CoordinatorOptions { Listen = "127.0.0.1:0", StateDirectory = _state.Path }, cancellationToken: Ct);
        _token = ClusterToken.Read(_coordinator.TokenPath);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopNodes.CancelAsync();
        foreach (var (agent, running) in _nodes)
        {
            await running.WaitAsync(Timeout);
            agent.Dispose();
        }
        _stopNodes.Dispose();
        await _coordinator.DisposeAsync();
        _state.Dispose();
    }

    // A bare NodeAgent, not a Node: these tests are about the membership protocol's service lists, so each node
    // announces a list and a call address the test chooses (capacities, modes, addresses nobody listens on) and
    // replaces it mid-session; a Node derives both from the services it really hosts and the endpoint it listens on.
    private async Task<NodeAgent> JoinAsync(string name, string address, params ServiceDescription[] services)
    {
        var agent = new NodeAgent(
            new NodeOptions { Join = _coordinator.Address.ToString(), Token = _token, Name = name, Address = address, Services = services },
            TimeProvider.System, NullLogger<NodeAgent>.Instance);
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = agent.RunAsync(_ => joined.TrySetResult(), _stopNodes.Token);
        _nodes.Add((agent, running));
        await Task.WhenAny(joined.Task, running).WaitAsync(Timeout, Ct);
        if (!joined.Task.IsCompleted) await running; // surfaces the failure
        return agent;
    }

    private ServiceDirectory NewDirectory() => new(_coordinator.Address, _token);

    [Fact]
    public async Task ListServices_names_every_alive_host_of_each_service()
    {
        await JoinAsync("a", "127.0.0.1:7801", TestServices.Echo(), TestServices.Clock());
        await JoinAsync("b", "127.0.0.1:7802", TestServices.Echo(capacity: 4));

        using var client = new ClusterClient(_coordinator.Address, _token);
        var services = await client.ListServicesAsync(Ct);
        Assert.Equal(["clock", "echo"], services.Select(s => s.Name));
        Assert.Equal([("a", "127.0.0.1:7801", 0), ("b", "127.0.0.1:7802", 4)], services[1].Hosts.Select(h => (h.NodeName, h.Address, h.Info.Capacity)));

        var nodes = await client.ListNodesAsync(Ct);
        Assert.Equal(["clock", "echo"], nodes.Single(n => n.Name == "a").Services);
        Assert.Equal("127.0.0.1:7801", nodes.Single(n => n.Name == "a").CallAddress);
        Assert.Equal("127.0.0.1", nodes.Single(n => n.Name == "a").Address); // where it connected from
    }

    [Fact]
    public async Task The_directory_resolves_hosts_and_follows_joins_and_service_changes()
    {
        await using var directory = NewDirectory();
        await directory.StartAsync(Ct);
        Assert.Empty(directory.Resolve("echo"));

        var a = await JoinAsync("a", "127.0.0.1:7801", TestServices.Echo());
        await JoinAsync("b", "127.0.0.1:7802", TestServices.Echo(capacity: 4), TestServices.Clock());
        await directory.WaitUntilAsync(r => r.Resolve("echo").Count == 2, Ct).WaitAsync(Timeout, Ct);

        var echo = directory.Resolve("echo");
        Assert.Equal(["a", "b"], echo.Select(h => h.NodeName));
        Assert.Equal("127.0.0.1:7802", echo[1].Address);
        Assert.Equal((InstanceMode.PerConnection, 4), (echo[1].Mode, echo[1].Capacity));
        Assert.Equal("Echo", echo[1].Methods.Single().Name);
        Assert.Equal(InstanceMode.Singleton, directory.Resolve("clock").Single().Mode);

        // A node loads a module while joined: the coordinator replaces its list and the directory hears it.
        await a.UpdateServicesAsync([TestServices.Echo(), TestServices.Named("queue")], Ct);
        await directory.WaitForServiceAsync("queue", Ct).WaitAsync(Timeout, Ct);
        Assert.Equal(a.NodeId, directory.Resolve("queue").Single().NodeId);
        Assert.Equal(["clock", "echo", "queue"], directory.Services.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_directory_hears_a_silent_node_declared_lost_within_the_loss_window()
    {
        await using var directory = NewDirectory();
        await directory.StartAsync(Ct);
        var gone = new TaskCompletionSource<NodeGoneEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        directory.NodeGone += (_, e) => gone.TrySetResult(e);

        // A raw session that registers and then never heartbeats: the coordinator must declare it lost after 3 s.
        using var channel = GrpcChannel.ForAddress(_coordinator.Address);
        var membership = new Protocol.Membership.MembershipClient(channel);
        var headers = new Metadata { { ClusterToken.Header, _token } };
        using var session = membership.Session(headers, cancellationToken: Ct);
        var register = new Register { Name = "frozen", Address = "127.0.0.1:7899", Services = { TestServices.Echo().ToWire() } };
        await session.RequestStream.WriteAsync(new NodeMessage { Register = register }, Ct);
        Assert.True(await session.ResponseStream.MoveNext(Ct));
        var nodeId = session.ResponseStream.Current.Registered.NodeId;
        await directory.WaitForServiceAsync("echo", Ct).WaitAsync(Timeout, Ct);

        var lost = await gone.Task.WaitAsync(Timeout, Ct);
        Assert.Equal((nodeId, "frozen", true), (lost.NodeId, lost.NodeName, lost.Lost));
        Assert.Contains("no heartbeat", lost.Reason);
        Assert.Empty(directory.Resolve("echo"));
        using var client = new ClusterClient(_coordinator.Address, _token);
        Assert.Empty(await client.ListServicesAsync(Ct));
    }

    [Fact]
    public async Task A_node_that_leaves_is_gone_from_the_directory_with_its_reason()
    {
        await using var directory = NewDirectory();
        await directory.StartAsync(Ct);
        var gone = new TaskCompletionSource<NodeGoneEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        directory.NodeGone += (_, e) => gone.TrySetResult(e);
        await JoinAsync("a", "127.0.0.1:7801", TestServices.Echo());
        await directory.WaitForServiceAsync("echo", Ct).WaitAsync(Timeout, Ct);

        await _stopNodes.CancelAsync();
        var left = await gone.Task.WaitAsync(Timeout, Ct);
        Assert.Equal(("a", false, "the node is stopping"), (left.NodeName, left.Lost, left.Reason));
        Assert.Empty(directory.Resolve("echo"));
    }

    [Fact]
    public async Task The_coordinator_publishes_service_events_for_a_nodes_services()
    {
        using var events = _coordinator.Events.Subscribe(SystemEvents.AllServices);
        var a = await JoinAsync("a", "127.0.0.1:7801", TestServices.Echo());
        await a.UpdateServicesAsync([TestServices.Clock()], Ct);

        var subjects = new List<string>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(Timeout);
        await foreach (var evt in events.WithCancellation(cts.Token))
        {
            subjects.Add($"{evt.Subject} {System.Text.Encoding.UTF8.GetString(evt.Payload.Span)}");
            if (subjects.Count == 3) break;
        }
        Assert.Equal(
            [
                $$"""service.added {"service":"echo","node":"a","nodeId":"{{a.NodeId}}"}""",
                $$"""service.removed {"service":"echo","node":"a","nodeId":"{{a.NodeId}}"}""",
                $$"""service.added {"service":"clock","node":"a","nodeId":"{{a.NodeId}}"}""",
            ],
            subjects);
    }

    [Fact]
    public async Task A_wrong_token_fails_the_directory_start_with_a_clear_error()
    {
        await using var directory = new ServiceDirectory(_coordinator.Address, "not-the-token");
        var ex = await Assert.ThrowsAsync<SkeinException>(() => directory.StartAsync(Ct));
        Assert.Contains("refused the cluster token", ex.Message);
    }

    [Fact]
    public void A_node_offering_an_invalid_service_list_is_refused_before_it_joins()
    {
        var ex = Assert.Throws<InvalidServiceListException>(() => new NodeOptions
        {
            Join = _coordinator.Address.ToString(), Token = _token, Services = [TestServices.Echo(), TestServices.Echo()],
        }.Validate());
        Assert.Contains("'echo' is listed twice", ex.Message);
    }
}
