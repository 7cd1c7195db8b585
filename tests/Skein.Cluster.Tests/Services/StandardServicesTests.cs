using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Skein.Cluster;
using Skein.Testing;
using Skein.Cluster.Addressing;

namespace Skein.Cluster.Tests.Services;

/// <summary>
/// What a generic gRPC client finds on the coordinator and on a node: the standard health service, answering without
/// the token, and server reflection, answering only with it. The clients here are the stock ones from the gRPC
/// packages, not Skein's.
/// </summary>
public sealed class StandardServicesTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async ValueTask InitializeAsync() =>
        _cluster = await TestCluster.StartAsync(nodes: 1, cancellationToken: TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    private IEnumerable<(string Role, Uri Address)> Endpoints()
    {
        yield return ("coordinator", _cluster.Address);
        yield return ("node", _cluster.Nodes[0].Address ?? throw new InvalidOperationException("the node serves no calls"));
    }

    [Fact]
    public async Task Health_answers_serving_without_the_token_on_the_coordinator_and_on_nodes()
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (var (role, address) in Endpoints())
        {
            using var channel = GrpcChannel.ForAddress(address);
            var health = new Health.HealthClient(channel);

            var reply = await health.CheckAsync(new HealthCheckRequest(), cancellationToken: ct);

            Assert.True(reply.Status == HealthCheckResponse.Types.ServingStatus.Serving, $"{role} at {address} answered {reply.Status}");
        }
    }

    [Fact]
    public async Task Reflection_lists_the_skein_services_to_a_client_with_the_token()
    {
        var ct = TestContext.Current.CancellationToken;
        var expected = new Dictionary<string, string> { ["coordinator"] = "skein.v1.Membership", ["node"] = "skein.v1.Calls" };
        foreach (var (role, address) in Endpoints())
        {
            using var channel = GrpcChannel.ForAddress(address);
            var services = await ListServicesAsync(channel, new Metadata { { ClusterToken.Header, _cluster.Token } }, ct);

            Assert.Contains(expected[role], services);
            Assert.Contains("grpc.health.v1.Health", services);
        }
    }

    [Fact]
    public async Task Reflection_refuses_a_client_without_the_token()
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (var (_, address) in Endpoints())
        {
            using var channel = GrpcChannel.ForAddress(address);

            // Read the answer without writing a request first: the refusal comes as the call starts, and a write racing
            // it on a busy machine fails with the stream's reset (Cancelled) rather than the status the server sent.
            var reflection = new ServerReflection.ServerReflectionClient(channel);
            using var call = reflection.ServerReflectionInfo(new Metadata(), cancellationToken: ct);
            var refused = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(ct));

            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        }
    }

    private static async Task<List<string>> ListServicesAsync(GrpcChannel channel, Metadata headers, CancellationToken ct)
    {
        var reflection = new ServerReflection.ServerReflectionClient(channel);
        using var call = reflection.ServerReflectionInfo(headers, cancellationToken: ct);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" }, ct);
        await call.RequestStream.CompleteAsync();
        var names = new List<string>();
        await foreach (var response in call.ResponseStream.ReadAllAsync(ct))
            names.AddRange(response.ListServicesResponse.Service.Select(service => service.Name));
        return names;
    }
}
