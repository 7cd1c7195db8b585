using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Skein.Cluster.Endpoints;
using Skein.Cluster.Events;
using Skein.Cluster.Internal;
using Skein.Cluster.Membership;
using Skein.Cluster.Runs;
using Skein.Engine;
using Skein.Cluster.Addressing;
using Skein.Cluster.Configuration;

namespace Skein.Cluster;

/// <summary>
/// The root of a cluster: a generic host running Kestrel (HTTP/2 only) with the membership service
/// behind the token interceptor. Either hosted by the generic host (<c>services.AddSkeinCoordinator()</c>, it starts
/// and stops with the host) or started on its own with <see cref="StartAsync(CoordinatorOptions, Action{ILoggingBuilder}?, TimeProvider?, CancellationToken)"/>
/// and stopped with <see cref="StopAsync"/>.
/// </summary>
public sealed partial class Coordinator : IHostedService, IAsyncDisposable
{
    private readonly CoordinatorOptions _options;
    private readonly Action<ILoggingBuilder>? _configureLogging;
    private readonly ILoggerFactory? _loggers;
    private readonly TimeProvider _time;
    private WebApplication? _app;
    private Uri? _address;
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private int _started;
    private int _stopped;

    /// <summary>A coordinator for the generic host (see <c>AddSkeinCoordinator</c>): it starts and stops with the host, logging through its loggers.</summary>
    [ActivatorUtilitiesConstructor]
    public Coordinator(IOptions<CoordinatorOptions> options, ILoggerFactory loggers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _loggers = loggers;
        _time = time;
    }

    private Coordinator(CoordinatorOptions options, Action<ILoggingBuilder>? configureLogging, TimeProvider? time)
    {
        _options = options;
        _configureLogging = configureLogging;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Runs the attempts of the runs this coordinator hosts: null (the default) places them on the cluster's nodes;
    /// a host that registered an <see cref="ITaskExecutor"/> (<see cref="InProcessExecutor"/>, say) gets that one.
    /// </summary>
    internal ITaskExecutor? Executor { get; init; }

    /// <summary>Where nodes and clients reach this coordinator (the real port when 0 was asked for).</summary>
    public Uri Address => _address ?? throw new InvalidOperationException("the coordinator has not started");

    public string TokenPath => Path.GetFullPath(Path.Combine(_options.StateDirectory, ClusterToken.FileName));

    public MembershipRegistry Membership => App.Services.GetRequiredService<MembershipRegistry>();

    /// <summary>The coordinator's event bus; membership publishes node.joined, node.lost and node.left on it.</summary>
    public EventBus Events => App.Services.GetRequiredService<EventBus>();

    /// <summary>The barriers clients are waiting at (the Rendezvous service's state).</summary>
    internal Barriers.BarrierBoard BarrierBoard => App.Services.GetRequiredService<Barriers.BarrierBoard>();

    /// <summary>The shipments executors uploaded (C# code for nodes).</summary>
    internal Execution.ShipmentStore Shipments => App.Services.GetRequiredService<Execution.ShipmentStore>();

    private WebApplication App => _app ?? throw new InvalidOperationException("the coordinator has not started");

    /// <summary>Starts a coordinator on its own, outside any generic host; stop it with <see cref="StopAsync"/> or by disposing it.</summary>
    public static async Task<Coordinator> StartAsync(
        CoordinatorOptions options,
        Action<ILoggingBuilder>? configureLogging = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var coordinator = new Coordinator(options, configureLogging, timeProvider);
        await coordinator.StartCoreAsync(cancellationToken).ConfigureAwait(false);
        return coordinator;
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => StartCoreAsync(cancellationToken);

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("the coordinator was already started");
        var options = _options;
        options.Validate();
        var listen = ListenAddress.Parse(options.Listen);
        if (ConnectionFile.TryRead(options.StateDirectory) is { } existing && existing.ProcessId != Environment.ProcessId && IsRunning(existing.ProcessId))
            throw new SkeinException(
                $"a coordinator (process {existing.ProcessId}) is already running from the state directory {Path.GetFullPath(options.StateDirectory)} at {existing.Address}; " +
                "stop it first or give this one another --state");
        string token;
        try
        {
            token = ClusterToken.LoadOrCreate(options.StateDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SkeinException($"cannot use the state directory {Path.GetFullPath(options.StateDirectory)}: {ex.Message}", ex);
        }

        var builder = GrpcServer.CreateBuilder(listen, token, _configureLogging, _loggers);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(_time);
        builder.Services.AddSingleton(services => new EventBus(services.GetRequiredService<TimeProvider>(), options.EventHistoryCapacity,
            options.EventHistoryMaxBytes, options.MaxEventPayloadBytes));
        builder.Services.AddSingleton<MembershipRegistry>();
        if (Executor is { } executor) builder.Services.AddSingleton(executor);
        else
            builder.Services.AddSingleton<ITaskExecutor>(services => new NodeExecutor(() => Address, token, services.GetRequiredService<MembershipRegistry>(),
                NodeExecutor.GraceFor(options), _time));
        builder.Services.AddSingleton<RunHost>();
        builder.Services.AddSingleton<Barriers.BarrierBoard>();
        // A submitted job is one message, as large as a job of the most tasks allowed needs; no other call needs as much.
        builder.Services.AddGrpc().AddServiceOptions<RunsService>(grpc => grpc.MaxReceiveMessageSize = RunsService.MaxSubmitBytes);
        builder.Services.AddSingleton<Execution.PlacementLedger>();
        builder.Services.AddSingleton<Execution.ArtifactVault>();
        builder.Services.AddSingleton<Execution.ShipmentStore>();

        var app = builder.Build();
        app.MapGrpcService<MembershipService>();
        app.MapGrpcService<EventsService>();
        app.MapGrpcService<RendezvousService>();
        app.MapGrpcService<RunsService>();
        GrpcServer.MapStandardServices(app);
        app.MapGrpcService<Execution.PlacementService>();
        app.MapGrpcService<Execution.ArtifactsService>();
        app.MapGrpcService<Execution.ShipmentsService>();
        // The ledger watches membership from the start, so room on a node lost before any hold is never granted.
        _ = app.Services.GetRequiredService<Execution.PlacementLedger>();
        _address = await GrpcServer.StartAsync(app, options.Listen, cancellationToken).ConfigureAwait(false);
        _app = app;
        _logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<Coordinator>();
        // Runs a killed coordinator left behind go on from their journal, before clients are told where it is, so that
        // an attach by their old id finds them. Starting them only records them; their attempts wait for room as always.
        await app.Services.GetRequiredService<RunHost>().ResumeInterruptedAsync(cancellationToken).ConfigureAwait(false);
        new ConnectionFile(ClusterAddress.Format(_address), TokenPath, Environment.ProcessId).Write(options.StateDirectory);
        LogListening(_address);
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process: the file outlived a coordinator that was killed
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Stops serving (open sessions are told the coordinator is stopping) and removes the connection file.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_app is null || Interlocked.Exchange(ref _stopped, 1) != 0) return;
        try
        {
            // Runs first: their tasks are stopped and recorded cancelled, and their watchers told, while clients can still hear it.
            await _app.Services.GetRequiredService<RunHost>().DisposeAsync().ConfigureAwait(false);
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Only remove a connection file that still points at this coordinator.
            if (ConnectionFile.TryRead(_options.StateDirectory) is { } file && file.ProcessId == Environment.ProcessId
                && file.Address == ClusterAddress.Format(Address))
                ConnectionFile.Delete(_options.StateDirectory);
            LogStopped();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_app is { } app) await app.DisposeAsync().ConfigureAwait(false);
    }
}
