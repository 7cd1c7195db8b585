using Skein.Cluster.Services.Client;
using Skein.Cluster.Services.Hosting;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using Skein.Cluster.Services;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;

namespace Skein.Cluster.Tests.Services;

/// <summary>A real node call endpoint on loopback hosting the test services, and clients routed straight to it.</summary>
internal sealed class ServiceNode : IAsyncDisposable
{
    public const string Token = "test-token-0123456789";

    private ServiceNode(NodeHost host) => Host = host;

    public NodeHost Host { get; }

    public ServiceHost Services => Host.Services;

    public static async Task<ServiceNode> StartAsync(string name = "node-a", ServiceHostOptions? options = null)
    {
        var services = new ServiceHost(name, options);
        services.Add<ITestEcho, TestEcho>();
        services.Add<ITestCounter, TestCounter>();
        services.Add<ITestLimited, TestLimited>();
        return new ServiceNode(await NodeHost.StartAsync(services, Token));
    }

    public string Address => $"{Host.Address.Host}:{Host.Address.Port}";

    public IEnumerable<ServiceLocation> Routes(string nodeId = "n-1") =>
        Services.Describe().Select(s => new ServiceLocation(nodeId, Services.NodeName, Address, s));

    public static SkeinClient Client(IServiceRoutes routes, SkeinClientOptions? options = null) =>
        new(routes, Token, options ?? new SkeinClientOptions(), null);

    public SkeinClient Client(SkeinClientOptions? options = null) => Client(new StaticRoutes(Routes()), options);

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
