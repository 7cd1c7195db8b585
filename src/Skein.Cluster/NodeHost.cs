using Skein.Shared.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skein.Cluster.Endpoints;
using Skein.Cluster.Internal;
using Skein.Modules;
using Skein.Cluster.Services;
using Skein.Cluster.Services.Hosting;
using Skein.Cluster.Services.Transport;
using Skein.Cluster.Addressing;

namespace Skein.Cluster;

/// <summary>
/// A node's call endpoint: Kestrel serving the Calls stream (calls.proto) for the services of a <see cref="ServiceHost"/>,
/// behind the cluster token. Clients reach it directly; the coordinator only tells them where it is.
/// </summary>
public sealed class NodeHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;

    private NodeHost(WebApplication app, ServiceHost services, Uri address)
    {
        _app = app;
        Services = services;
        Address = address;
    }

    public ServiceHost Services { get; }

    /// <summary>The cache of the artifacts this node's attempts receive, and its way to the coordinator.</summary>
    internal Execution.NodeArtifacts? Artifacts { get; private init; }

    /// <summary>The shipments (C# code for job tasks) this node fetched and loaded.</summary>
    internal Execution.NodeShipments? Shipments { get; private init; }

    /// <summary>The node's own client, once it has one: what shipped code is given to reach the cluster.</summary>
    internal Func<Client.SkeinClient?>? Client
    {
        set => _app.Services.GetRequiredService<Execution.NodeTaskRunner>().Client = value;
    }

    /// <summary>Where clients call this node's services.</summary>
    public Uri Address { get; }

    /// <summary>Serves <paramref name="services"/> on <paramref name="listen"/> (HOST:PORT; port 0 picks a free one).</summary>
    /// <param name="modulePaths">Where module control (modules.proto) may load from; by default nowhere.</param>
    public static Task<NodeHost> StartAsync(ServiceHost services, string token, string listen = "127.0.0.1:0",
        Action<ILoggingBuilder>? configureLogging = null, CancellationToken cancellationToken = default, ModulePaths? modulePaths = null) =>
        StartAsync(services, token, listen, configureLogging, loggers: null, cancellationToken, modulePaths, stateDirectory: null);

    /// <summary>As the public overload, logging through <paramref name="loggers"/>: the hosting application's (a <see cref="Node"/>'s).</summary>
    /// <param name="stateDirectory">Where job task attempts that need a fresh working directory get one.</param>
    /// <param name="coordinator">The coordinator the node joined: where its attempts' artifacts are fetched from and sent to.</param>
    internal static Task<NodeHost> StartAsync(ServiceHost services, string token, string listen, ILoggerFactory loggers,
        CancellationToken cancellationToken, ModulePaths modulePaths, string? stateDirectory = null, Uri? coordinator = null) =>
        StartAsync(services, token, listen, configureLogging: null, loggers, cancellationToken, modulePaths, stateDirectory, coordinator);

    private static async Task<NodeHost> StartAsync(ServiceHost services, string token, string listen, Action<ILoggingBuilder>? configureLogging,
        ILoggerFactory? loggers, CancellationToken cancellationToken, ModulePaths? modulePaths, string? stateDirectory = null, Uri? coordinator = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (string.IsNullOrWhiteSpace(token)) throw new SkeinException("a node needs the cluster token to serve calls");
        var builder = GrpcServer.CreateBuilder(ListenAddress.Parse(listen), token, configureLogging, loggers, MessageLimits.TransportLimit(services.Options.MaxMessageBytes));
        builder.Services.AddSingleton(services);
        builder.Services.AddSingleton(modulePaths ?? new ModulePaths([], allowAnyPath: false));
        // Every node runs job tasks; those that cannot run in their job file's directory get one under its state directory.
        var attempts = stateDirectory ?? Path.Combine(Path.GetTempPath(), $"skein-node-{FileNames.Escape(services.NodeName)}");
        // Artifacts its attempts receive are cached by content beside their directories; without a coordinator known
        // here, the address the executor sends with each attempt is used.
        var artifacts = new Execution.NodeArtifacts(services.NodeName, Path.Combine(attempts, "artifacts"), coordinator, token);
        builder.Services.AddSingleton(artifacts);
        // C# code shipped to the node is kept beside them, by content, and loaded while attempts use it.
        var shipments = new Execution.NodeShipments(services.NodeName, Path.Combine(attempts, "shipments"), artifacts);
        builder.Services.AddSingleton(provider => new Execution.NodeTaskRunner(services.NodeName, attempts,
            provider.GetRequiredService<ILoggerFactory>().CreateLogger<Execution.NodeTaskRunner>()) { Artifacts = artifacts, Shipments = shipments });
        // A shipped attempt's request and reply travel in one message each.
        builder.Services.AddGrpc().AddServiceOptions<Execution.TaskRunnerEndpoint>(grpc =>
        {
            grpc.MaxReceiveMessageSize = Execution.ShipmentLimits.MaxRunnerMessageBytes;
            grpc.MaxSendMessageSize = Execution.ShipmentLimits.MaxRunnerMessageBytes;
        });
        var app = builder.Build();
        app.MapGrpcService<CallsEndpoint>();
        app.MapGrpcService<ModulesEndpoint>();
        app.MapGrpcService<Execution.TaskRunnerEndpoint>();
        GrpcServer.MapStandardServices(app);
        var address = await GrpcServer.StartAsync(app, listen, cancellationToken).ConfigureAwait(false);
        return new NodeHost(app, services, address) { Artifacts = artifacts, Shipments = shipments };
    }

    /// <summary>Completes once no job task attempt whose call broke is still being stopped here.</summary>
    internal Task WaitForAbandonedAttemptsAsync(CancellationToken cancellationToken) =>
        _app.Services.GetRequiredService<Execution.NodeTaskRunner>().WaitForAbandonedAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Shipments?.Dispose();
        await Services.DisposeAsync().ConfigureAwait(false);
    }
}
