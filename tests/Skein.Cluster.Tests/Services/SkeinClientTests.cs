using Microsoft.Extensions.Hosting;
using Skein.Cluster.Events;
using Skein.Cluster.Tests.Support;
using Skein.Testing;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Tests.Services;

/// <summary>
/// The whole path in one process but over real sockets: a coordinator, nodes serving calls and joined as any node
/// is, and a <see cref="SkeinClient"/> that finds them through the coordinator.
/// </summary>
public sealed class SkeinClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TestPatience.Ceiling;
    private TestCluster _cluster = null!;
    private Coordinator _coordinator = null!;
    private string _token = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        // A coordinator alone: each test starts the nodes it needs, every one hosting the test services.
        _cluster = await new TestClusterBuilder().WithNodes(0)
            .AddService<ITestEcho, TestEcho>()
            .AddService<ITestCounter, TestCounter>()
            .StartAsync(Ct);
        _coordinator = _cluster.Coordinator;
        _token = _cluster.Token;
    }

    public async ValueTask DisposeAsync()
    {
        await _cluster.DisposeAsync(); // the nodes leave, then the coordinator stops
    }

    private Task StartNodeAsync(string name) => _cluster.StartNodeAsync(name, cancellationToken: Ct);

    private async Task StopNodeAsync(string name, bool leave)
    {
        var node = _cluster.Nodes.Single(n => n.Name == name);
        if (!leave) await node.BreakEndpointAsync(); // without leaving first: its calls break as a killed node's would
        await _cluster.StopNodeAsync(node, Ct);
    }

    [Fact]
    public async Task A_client_finds_the_service_through_the_coordinator_and_calls_the_node_directly()
    {
        await StartNodeAsync("node-a");
        await using var client = await SkeinClient.ConnectAsync(_coordinator.Address, _token, cancellationToken: Ct);

        await using var echo = await client.GetServiceAsync<ITestEcho>(Ct);

        Assert.Equal("through the registry", await echo.EchoAsync("through the registry", Ct));
    }

    [Fact]
    public async Task A_singleton_hosted_on_two_nodes_is_one_object_for_every_client()
    {
        await StartNodeAsync("node-a");
        await StartNodeAsync("node-b");
        await using var first = await SkeinClient.ConnectAsync(_coordinator.Address, _token, cancellationToken: Ct);
        await using var second = await SkeinClient.ConnectAsync(_coordinator.Address, _token, cancellationToken: Ct);
        await WaitForHostsAsync(first, "test-counter", 2);
        await WaitForHostsAsync(second, "test-counter", 2);

        var a = await first.GetServiceAsync<ITestCounter>(Ct);
        var b = await second.GetServiceAsync<ITestCounter>(Ct);

        Assert.Equal(1, await a.IncrementAsync());
        Assert.Equal(2, await b.IncrementAsync());
    }

    [Fact]
    public async Task Events_published_by_one_client_reach_another_clients_subscription()
    {
        await using var publisher = await SkeinClient.ConnectAsync(_coordinator.Address, _token, cancellationToken: Ct);
        await using var subscriber = await SkeinClient.ConnectAsync(_coordinator.Address, _token, cancellationToken: Ct);
        var live = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var received = Task.Run(async () =>
        {
            await foreach (var evt in subscriber.Events.SubscribeAsync("orders.*", new ClusterSubscribeOptions { Subscribed = () => live.TrySetResult() }, stop.Token))
                return (evt.Subject, evt.Payload.Length);
            return ("", 0);
        }, Ct);
        await live.Task.WaitAsync(Timeout, Ct);

        await publisher.PublishAsync("orders.created", new { id = 7 }, Ct);
        await publisher.Events.FlushAsync(Ct);

        var (subject, length) = await received.WaitAsync(Timeout, Ct);
        Assert.Equal("orders.created", subject);
        Assert.True(length > 0);
    }

    [Fact]
    public async Task Calls_waiting_on_a_node_that_goes_fail_at_once_naming_it()
    {
        await StartNodeAsync("node-a");
        await using var client = await SkeinClient.ConnectAsync(_coordinator.Address, _token, cancellationToken: Ct);
        await using var echo = await client.GetServiceAsync<ITestEcho>(Ct);
        var waiting = echo.HangAsync("node-goes", Ct);

        await StopNodeAsync("node-a", leave: false);

        var error = await Assert.ThrowsAsync<RemoteException>(() => waiting.WaitAsync(Timeout, Ct));
        Assert.Equal(RemoteErrorKind.NodeLost, error.Kind);
        Assert.True(error.IsRetriable);
        Assert.Contains("node-a", error.Message, StringComparison.Ordinal);
        var gone = await Assert.ThrowsAsync<RemoteException>(async () =>
        {
            await WaitForHostsAsync(client, "test-echo", 0);
            await client.GetServiceAsync<ITestEcho>(Ct);
        });
        Assert.Equal(RemoteErrorKind.ServiceNotFound, gone.Kind);
    }

    [Fact]
    public async Task An_unreachable_coordinator_is_a_clear_error_within_five_seconds()
    {
        var port = FreePort();
        // Allowed to try for far longer than any wait in the suite: only a refusal taken at once ends it.
        var patient = new SkeinClientOptions { ConnectTimeout = TimeSpan.FromHours(1) };

        var error = await Assert.ThrowsAnyAsync<SkeinException>(() => SkeinClient.ConnectAsync(new Uri($"http://127.0.0.1:{port}"), _token, patient, Ct));

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    // The client's directory follows the coordinator's Watch stream; wait until it has seen what the test set up.
    private static async Task WaitForHostsAsync(SkeinClient client, string service, int count)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (client.HostsOf(service) != count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{service} did not reach {count} hosts");
            await Task.Delay(20, Ct);
        }
    }
}
