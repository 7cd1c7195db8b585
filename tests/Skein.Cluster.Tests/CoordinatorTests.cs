using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Hosting;
using Skein.Cluster.Events;
using Skein.Cluster.Membership;
using Skein.Cluster.Protocol;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Tests;

/// <summary>A real coordinator on a free loopback port, with nodes and clients in this process.</summary>
public sealed class CoordinatorTests : IAsyncLifetime
{
    private readonly TempDirectory _state = new();
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
        await _coordinator.DisposeAsync();
        _state.Dispose();
    }

    // Nodes are composed as applications compose them (AddSkeinNode, in a host of their own); disposing one stops
    // its host, and the node leaves.
    private Task<Support.RunningHost<Node>> StartNodeAsync(string name, string? token = null) =>
        Support.TestHosts.StartNodeAsync(_coordinator, name, configure: options =>
        {
            options.Labels["zone"] = "a";
            if (token is not null) options.Token = token;
        }, cancellationToken: Ct);

    [Fact]
    public async Task Nodes_join_and_are_listed_then_leave_cleanly()
    {
        var a = await StartNodeAsync("a");
        var b = await StartNodeAsync("b");

        using var client = new ClusterClient(_coordinator.Address, _token);
        var nodes = await client.ListNodesAsync(Ct);
        Assert.Equal(["a", "b"], nodes.Select(n => n.Name));
        Assert.All(nodes, n => Assert.Equal(MemberState.Alive, n.State));
        Assert.Equal("a", nodes[0].Labels["zone"]);
        Assert.Equal(Environment.ProcessorCount, nodes[0].Cores);

        await a.DisposeAsync();
        await b.DisposeAsync();
        Assert.All(_coordinator.Membership.List(), m => Assert.Equal(MemberState.Left, m.State));
    }

    [Fact]
    public async Task The_coordinator_publishes_node_joins_and_departures_on_its_event_bus()
    {
        using var events = _coordinator.Events.Subscribe(SystemEvents.AllNodes);
        var a = await StartNodeAsync("a");
        await a.DisposeAsync();

        var subjects = new List<string>();
        await foreach (var evt in events.WithCancellation(Ct))
        {
            subjects.Add(evt.Subject);
            if (subjects.Count == 2) break;
        }
        Assert.Equal([SystemEvents.NodeJoined, SystemEvents.NodeLeft], subjects);
    }

    [Fact]
    public async Task A_second_node_with_a_live_name_is_refused()
    {
        await using var first = await StartNodeAsync("same");
        var ex = await Assert.ThrowsAnyAsync<SkeinException>(() => StartNodeAsync("same"));
        Assert.Contains("'same' is already alive", ex.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong")]
    [InlineData("")]
    public async Task A_missing_or_wrong_token_is_unauthenticated_and_nothing_else(string? token)
    {
        using var channel = GrpcChannel.ForAddress(_coordinator.Address);
        var client = new Protocol.Membership.MembershipClient(channel);
        var headers = new Metadata();
        if (token is not null) headers.Add(ClusterToken.Header, token);
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.ListNodesAsync(new ListNodesRequest(), headers, cancellationToken: Ct));
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Equal("", ex.Status.Detail);

        using var session = client.Session(headers, cancellationToken: Ct);
        var streamError = await Assert.ThrowsAsync<RpcException>(async () => await session.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.Unauthenticated, streamError.StatusCode);
        Assert.Empty(_coordinator.Membership.List());
    }

    [Fact]
    public async Task A_node_with_a_wrong_token_fails_to_join_with_a_clear_error()
    {
        var ex = await Assert.ThrowsAsync<SkeinException>(() => StartNodeAsync("intruder", token: "not-the-token"));
        Assert.Contains("refused the cluster token", ex.Message);
    }

    [Fact]
    public async Task Garbage_bytes_and_http1_requests_do_not_hurt_the_coordinator()
    {
        var port = _coordinator.Address.Port;
        using (var garbage = new TcpClient())
        {
            await garbage.ConnectAsync("127.0.0.1", port, Ct);
            var bytes = new byte[4096];
            new Random(42).NextBytes(bytes);
            await garbage.GetStream().WriteAsync(bytes, Ct);
            await ReadUntilClosedAsync(garbage.GetStream());
        }
        using (var http1 = new TcpClient())
        {
            await http1.ConnectAsync("127.0.0.1", port, Ct);
            await http1.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Ct);
            await ReadUntilClosedAsync(http1.GetStream());
        }
        using var client = new ClusterClient(_coordinator.Address, _token);
        Assert.Empty(await client.ListNodesAsync(Ct));
    }

    [Fact]
    public async Task The_connection_file_names_the_address_and_goes_away_at_stop()
    {
        var file = ConnectionFile.TryRead(_state.Path);
        Assert.NotNull(file);
        Assert.Equal(ClusterAddress.Format(_coordinator.Address), file.Address);
        Assert.Equal(_coordinator.TokenPath, file.TokenPath);
        await _coordinator.StopAsync(Ct);
        Assert.Null(ConnectionFile.TryRead(_state.Path));
    }

    [Fact]
    public async Task An_unreachable_coordinator_is_a_clear_error_within_five_seconds()
    {
        int closedPort;
        using (var listener = new TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        var builder = Support.TestHosts.CreateBuilder();
        builder.Services.AddSkeinNode(node =>
        {
            node.Join = $"127.0.0.1:{closedPort}";
            node.Token = "t";
            node.Name = "n";
        });
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<ClusterUnreachableException>(() => host.StartAsync(Ct));
        Assert.Contains($"127.0.0.1:{closedPort}", ex.Message);
        Assert.Contains("cannot reach", ex.Message);
    }

    private static async Task ReadUntilClosedAsync(NetworkStream stream)
    {
        var buffer = new byte[1024];
        try
        {
            while (await stream.ReadAsync(buffer).AsTask().WaitAsync(TestPatience.Ceiling, Ct) > 0) { }
        }
        catch (IOException)
        {
            // reset by the server: also a refusal
        }
    }
}
