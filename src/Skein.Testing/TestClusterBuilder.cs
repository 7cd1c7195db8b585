using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Skein.Cluster;
using Skein.Cluster.Configuration;

namespace Skein.Testing;

/// <summary>
/// Says what a <see cref="TestCluster"/> holds: how many nodes, what each node hosts and how it is configured. Every
/// setting applies to every node, those started with the cluster and those started later, with the node's index
/// (0, 1, …) so that a test can make nodes differ.
/// </summary>
public sealed class TestClusterBuilder
{
    private readonly List<Action<CoordinatorOptions>> _coordinator = [];
    private readonly List<Action<int, HostApplicationBuilder>> _nodeHosts = [];

    /// <summary>The options the cluster starts with.</summary>
    public TestClusterOptions Options { get; } = new();

    /// <summary>Starts <paramref name="count"/> nodes with the cluster (0 for a coordinator alone).</summary>
    public TestClusterBuilder WithNodes(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Options.InitialNodes = count;
        return this;
    }

    /// <summary>The ceiling of each start and stop; see <see cref="TestClusterOptions.StartTimeout"/>.</summary>
    public TestClusterBuilder WithStartTimeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        Options.StartTimeout = timeout;
        return this;
    }

    /// <summary>Adjusts the coordinator's options (its listen address and state directory are the cluster's).</summary>
    public TestClusterBuilder ConfigureCoordinator(Action<CoordinatorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _coordinator.Add(configure);
        return this;
    }

    /// <summary>Adjusts each node's options: labels, cores, limits, modules to load.</summary>
    public TestClusterBuilder ConfigureNode(Action<int, NodeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return ConfigureNodeHost((index, host) => host.Services.Configure<NodeOptions>(options => configure(index, options)));
    }

    /// <summary>Adds to each node's container: the application's own registrations its services depend on.</summary>
    public TestClusterBuilder ConfigureNodeServices(Action<int, IServiceCollection> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return ConfigureNodeHost((index, host) => configure(index, host.Services));
    }

    /// <summary>Adjusts each node's whole host builder: logging providers, configuration, services.</summary>
    public TestClusterBuilder ConfigureNodeHost(Action<int, HostApplicationBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _nodeHosts.Add(configure);
        return this;
    }

    /// <summary>Hosts <typeparamref name="TImplementation"/> as the service <typeparamref name="TContract"/> on every node.</summary>
    public TestClusterBuilder AddService<TContract, TImplementation>()
        where TContract : class where TImplementation : class, TContract =>
        ConfigureNodeServices((_, services) => services.AddSkeinService<TContract, TImplementation>());

    /// <summary>Starts the coordinator and the initial nodes; returns once every one of them has joined.</summary>
    public Task<TestCluster> StartAsync(CancellationToken cancellationToken = default) =>
        TestCluster.StartAsync(this, cancellationToken);

    internal void ConfigureCoordinatorOptions(CoordinatorOptions options)
    {
        foreach (var configure in _coordinator) configure(options);
    }

    internal void ConfigureNodeHostBuilder(int index, HostApplicationBuilder host)
    {
        foreach (var configure in _nodeHosts) configure(index, host);
    }
}
