using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Skein.Cluster;
using Skein.Cluster.Membership;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;

namespace Skein.Testing;

/// <summary>
/// A coordinator and nodes in this process, for tests: each in a generic host of its own, composed with
/// <c>AddSkeinCoordinator</c> and <c>AddSkeinNode</c> as an application composes them, talking real gRPC on
/// 127.0.0.1 with free ports. The coordinator's state (its token among it) lives in a temporary directory that
/// disposing removes. Start one with <see cref="StartAsync(int, Action{TestClusterBuilder}?, CancellationToken)"/> or a
/// <see cref="TestClusterBuilder"/>; dispose it to stop every node and the coordinator.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly TestClusterBuilder _builder;
    private readonly IHost _coordinatorHost;
    private readonly string _stateDirectory;
    private readonly List<(Node Node, IHost Host)> _nodes = [];
    private readonly Lock _lock = new();
    private int _nextIndex;
    private int _disposed;

    private TestCluster(TestClusterBuilder builder, IHost coordinatorHost, string stateDirectory)
    {
        _builder = builder;
        _coordinatorHost = coordinatorHost;
        _stateDirectory = stateDirectory;
        Coordinator = coordinatorHost.Services.GetRequiredService<Coordinator>();
        Token = ClusterToken.Read(Coordinator.TokenPath);
    }

    /// <summary>The options the cluster was started with.</summary>
    public TestClusterOptions Options => _builder.Options;

    /// <summary>The coordinator: its membership, its event bus.</summary>
    public Coordinator Coordinator { get; }

    /// <summary>Where the coordinator listens, for clients and nodes.</summary>
    public Uri Address => Coordinator.Address;

    /// <summary>The cluster's token, which clients and nodes present.</summary>
    public string Token { get; }

    /// <summary>The coordinator's state directory (temporary; removed on dispose).</summary>
    public string StateDirectory => _stateDirectory;

    /// <summary>The nodes running now, in the order they were started.</summary>
    public IReadOnlyList<Node> Nodes
    {
        get
        {
            lock (_lock) return _nodes.ConvertAll(entry => entry.Node);
        }
    }

    /// <summary>Starts a coordinator and <paramref name="nodes"/> nodes; <paramref name="configure"/> says what the nodes host.</summary>
    public static Task<TestCluster> StartAsync(int nodes = 1, Action<TestClusterBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = new TestClusterBuilder().WithNodes(nodes);
        configure?.Invoke(builder);
        return StartAsync(builder, cancellationToken);
    }

    internal static async Task<TestCluster> StartAsync(TestClusterBuilder builder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var state = Directory.CreateTempSubdirectory("skein-test-cluster-").FullName;
        var coordinatorHost = NewHostBuilder();
        coordinatorHost.Services.AddSkeinCoordinator(options =>
        {
            builder.ConfigureCoordinatorOptions(options);
            options.Listen = "127.0.0.1:0";
            options.StateDirectory = state;
        });
        IHost host;
        try
        {
            host = await StartHostAsync(coordinatorHost, builder.Options.StartTimeout, "the coordinator", cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            RemoveDirectory(state);
            throw;
        }
        var cluster = new TestCluster(builder, host, state);
        try
        {
            for (var i = 0; i < builder.Options.InitialNodes; i++)
                await cluster.StartNodeAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            using var ceiling = Ceiling(builder.Options.StartTimeout, cancellationToken);
            await cluster.Coordinator.Membership.WaitForAliveAsync(builder.Options.InitialNodes, ceiling.Token).ConfigureAwait(false);
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return cluster;
    }

    /// <summary>
    /// Starts one more node, configured as the builder says and then by <paramref name="configure"/> (its services,
    /// options, logging); returns once it has joined. Named <c>node-N</c> unless <paramref name="name"/> says otherwise.
    /// </summary>
    /// <exception cref="OptionsValidationException">A node option is wrong (the host refused to start).</exception>
    /// <exception cref="SkeinException">The node could not listen, load its modules or join.</exception>
    public async Task<Node> StartNodeAsync(string? name = null, Action<HostApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var index = Interlocked.Increment(ref _nextIndex) - 1;
        var nodeName = name ?? Options.NodeNamePrefix + index;
        var builder = NewHostBuilder();
        builder.Services.AddSkeinNode(options =>
        {
            options.Join = ClusterAddress.Format(Address);
            options.Token = Token;
            options.Name = nodeName;
            options.Listen = "127.0.0.1:0";
            // Job task attempts that need a fresh directory get it here, removed with the cluster.
            options.StateDirectory = _stateDirectory;
        });
        _builder.ConfigureNodeHostBuilder(index, builder);
        configure?.Invoke(builder);
        var host = await StartHostAsync(builder, Options.StartTimeout, $"node {nodeName}", cancellationToken).ConfigureAwait(false);
        var node = host.Services.GetRequiredService<Node>();
        lock (_lock) _nodes.Add((node, host));
        return node;
    }

    /// <summary>The container of <paramref name="node"/>'s host: the application's registrations, the node's client.</summary>
    public IServiceProvider ServicesOf(Node node) => HostOf(node).Services;

    /// <summary>
    /// Stops <paramref name="node"/> as an application stopping would: it leaves the cluster (returns once the
    /// coordinator no longer counts it alive), stops serving calls and unloads its modules.
    /// </summary>
    public async Task StopNodeAsync(Node node, CancellationToken cancellationToken = default)
    {
        var host = HostOf(node);
        lock (_lock) _nodes.RemoveAll(entry => ReferenceEquals(entry.Node, node));
        var nodeId = node.NodeId;
        using var ceiling = Ceiling(Options.StartTimeout, cancellationToken);
        await StopHostAsync(host, ceiling.Token).ConfigureAwait(false);
        if (nodeId is not null)
            await Coordinator.Membership.WaitUntilAsync(
                members => !members.Any(member => member.NodeId == nodeId && member.State == MemberState.Alive), ceiling.Token).ConfigureAwait(false);
    }

    /// <summary>A client of the cluster, as an application outside it connects; dispose it when done.</summary>
    public Task<SkeinClient> ConnectClientAsync(SkeinClientOptions? options = null, CancellationToken cancellationToken = default) =>
        SkeinClient.ConnectAsync(Address, Token, options, cancellationToken);

    /// <summary>Stops every node (last started first), then the coordinator, and removes the state directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        List<(Node Node, IHost Host)> nodes;
        lock (_lock)
        {
            nodes = [.. _nodes];
            _nodes.Clear();
        }
        nodes.Reverse();
        foreach (var (_, host) in nodes) await StopHostAsync(host, CancellationToken.None).ConfigureAwait(false);
        await StopHostAsync(_coordinatorHost, CancellationToken.None).ConfigureAwait(false);
        RemoveDirectory(_stateDirectory);
    }

    private IHost HostOf(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_lock)
        {
            foreach (var entry in _nodes)
                if (ReferenceEquals(entry.Node, node)) return entry.Host;
        }
        throw new ArgumentException($"node {node.Name} is not running in this test cluster", nameof(node));
    }

    // No configuration sources and no log output: a test adds what it needs through the builder.
    private static HostApplicationBuilder NewHostBuilder() =>
        Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });

    private static async Task<IHost> StartHostAsync(HostApplicationBuilder builder, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var host = builder.Build();
        using var ceiling = Ceiling(timeout, cancellationToken);
        try
        {
            await host.StartAsync(ceiling.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await DisposeHostAsync(host).ConfigureAwait(false);
            throw new TimeoutException($"{what} did not start within {timeout.TotalSeconds:0.#} s (TestClusterOptions.StartTimeout)");
        }
        catch
        {
            await DisposeHostAsync(host).ConfigureAwait(false);
            throw;
        }
        return host;
    }

    private static async Task StopHostAsync(IHost host, CancellationToken cancellationToken)
    {
        try
        {
            await host.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await DisposeHostAsync(host).ConfigureAwait(false);
        }
    }

    private static ValueTask DisposeHostAsync(IHost host) =>
        host is IAsyncDisposable disposable ? disposable.DisposeAsync() : DisposeSync(host);

    private static ValueTask DisposeSync(IHost host)
    {
        host.Dispose();
        return ValueTask.CompletedTask;
    }

    private static CancellationTokenSource Ceiling(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(timeout);
        return source;
    }

    private static void RemoveDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file still held open (a module's log on a slow machine) leaves a temporary folder behind; not a test failure.
        }
    }
}
