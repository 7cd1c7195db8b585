using Skein.Shared.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Skein.Cluster.Events;
using Skein.Cluster.Hosting;
using Skein.Modules;
using Skein.Modules.Lifecycle;
using Skein.Cluster.Services.Hosting;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using Skein.Modules.BuiltIn;

namespace Skein.Cluster;

/// <summary>
/// One node's runtime, as <see cref="Microsoft.Extensions.Hosting.SkeinHostingExtensions.AddSkeinNode"/> registers it:
/// its services (a <see cref="ServiceHost"/> whose objects the host's container makes), the modules it loads at start
/// and their supervision, its call endpoint (<see cref="NodeHost"/>), its membership (<see cref="NodeAgent"/>), the
/// bridge of module events to the cluster's bus, and the node's own <see cref="SkeinClient"/>. Started and stopped by
/// the generic host; <see cref="IHostedService.StartAsync"/> returns once the node has joined.
/// </summary>
public sealed partial class Node : IHostedService, IAsyncDisposable
{
    // Read at first use, not here: resolving the node (to subscribe to its events) must not be what refuses bad options.
    private readonly IOptions<NodeOptions> _configured;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private ServiceHost? _host;
    private ClusterEvents? _bus;
    private NodeHost? _endpoint;
    private NodeAgent? _agent;
    private SkeinClient? _client;
    private Task? _membership;
    private int _stopped;

    public Node(IOptions<NodeOptions> options, IServiceProvider services, ILoggerFactory loggers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _configured = options;
        _services = services;
        _loggers = loggers;
        _time = time;
        _logger = loggers.CreateLogger<Node>();
    }

    private NodeOptions Settings => _configured.Value;

    /// <summary>This node's name, unique among the cluster's live nodes.</summary>
    public string Name => Settings.Name;

    /// <summary>Where clients call this node's services, HOST:PORT as registered; empty before start.</summary>
    public string CallAddress { get; private set; } = "";

    /// <summary>The address the call endpoint really listens on; null before start.</summary>
    public Uri? Address => _endpoint?.Address;

    /// <summary>This node's artifact cache (for tests and diagnostics); null before it started.</summary>
    internal Execution.NodeArtifacts? Artifacts => _endpoint?.Artifacts;

    /// <summary>The shipments this node fetched and loaded (for tests and diagnostics); null before it started.</summary>
    internal Execution.NodeShipments? Shipments => _endpoint?.Shipments;

    /// <summary>The coordinator this node joined.</summary>
    public Uri? Coordinator => _agent?.Coordinator;

    /// <summary>The id the coordinator gave at the latest registration; null before the node joined.</summary>
    public string? NodeId => _agent?.NodeId;

    /// <summary>The node's services and modules; null before start.</summary>
    public ServiceHost? Services => _host;

    /// <summary>The modules loaded now.</summary>
    public IReadOnlyList<LoadedModule> Modules => _host?.Modules ?? [];

    /// <summary>A client of the cluster for the node's own services (calls to services this node hosts stay in-process).</summary>
    /// <exception cref="InvalidOperationException">The node has not joined yet.</exception>
    public SkeinClient Client => _client ?? throw new InvalidOperationException($"node {Name} has not joined its cluster yet, so it has no client");

    /// <summary>Raised for each module loaded at start, with the path it was asked for, before the node joins.</summary>
    public event Action<string, LoadedModule>? ModuleLoaded;

    /// <summary>Raised once the node has registered with the coordinator, with the id it was given.</summary>
    public event Action<string>? Joined;

    /// <summary>
    /// Raised when a module's event is refused (a bad subject, a payload over the limit); the module goes on. Logged as
    /// a warning when nobody listens.
    /// </summary>
    public event Action<ArgumentException>? EventRefused;

    /// <summary>
    /// Raised when a module declared <c>on-failure: fail-node</c> failed for good. The node then asks the application
    /// to stop (<see cref="IHostApplicationLifetime.StopApplication"/>); <see cref="FailedModule"/> says why.
    /// </summary>
    public event EventHandler<ModuleGaveUpEventArgs>? FailNodeRequested;

    /// <summary>The module whose failure stopped this node, if one did.</summary>
    public ModuleGaveUpEventArgs? FailedModule => Volatile.Read(ref _failedModule);

    private ModuleGaveUpEventArgs? _failedModule;

    /// <summary>
    /// Loads the modules, starts the call endpoint and joins the coordinator; returns once joined. Fails with a
    /// <see cref="SkeinException"/> when a module does not load, the address cannot be listened on, or the coordinator
    /// cannot be reached or refuses the node; whatever had started is stopped again.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StartCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        using var starting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var supervision = Settings.Supervision();
        _host = new ServiceHost(Settings.Name, new ServiceHostOptions
        {
            Loaders = BuiltInLoaders.Create(_loggers.CreateLogger("Skein.Modules"), supervision),
            AllowReload = Settings.AllowReload,
            MaxMessageBytes = Settings.MaxMessageBytes,
            LeaseTimeout = Settings.LeaseTimeout,
        }, _services);
        // What modules publish, and their state changes from their first, go on the cluster's event bus.
        _bus = new ClusterEvents(ClusterAddress.Parse(Settings.Join), Settings.Token);
        _host.Events += Publish;
        _host.FailNodeRequested += OnFailNodeRequested;
        foreach (var registered in _services.GetServices<SkeinServiceRegistration>()) _host.Add(registered.Contract, registered.Implementation);
        foreach (var module in Settings.Modules)
            Loaded(module.Path, await _host.AddModuleAsync(module.ToRequest(), starting.Token).ConfigureAwait(false));

        var modulePaths = new ModulePaths(Settings.ModuleDirectories, Settings.AllowAnyModulePath);
        _endpoint = await NodeHost.StartAsync(_host, Settings.Token, Settings.Listen, _loggers, starting.Token, modulePaths, Settings.StateDirectory is { } state
            ? Path.Combine(state, "nodes", FileNames.Escape(Settings.Name))
            : null, ClusterAddress.Parse(Settings.Join)).ConfigureAwait(false);
        // Shipped code reaches the cluster through the node's own client, once the node has joined.
        _endpoint.Client = () => _client;
        // Listening on every interface: tell others this machine's name, which they can resolve, not "localhost".
        var everywhere = Settings.Listen.Split(':')[0] is "*" or "0.0.0.0" or "[::]";
        CallAddress = $"{(everywhere ? System.Net.Dns.GetHostName() : _endpoint.Address.Host)}:{_endpoint.Address.Port}";

        _agent = new NodeAgent(AgentOptions(), _time, _loggers.CreateLogger<NodeAgent>());
        _agent.BeforeRejoin = _endpoint.WaitForAbandonedAttemptsAsync;
        // A module that goes (its process exited) is withdrawn from the registry at once, so no call is routed to it.
        _host.ServicesChanged += OnServicesChanged;
        var joined = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _membership = _agent.RunAsync(id => joined.TrySetResult(id), _stopping.Token);
        if (await Task.WhenAny(joined.Task, _membership).WaitAsync(starting.Token).ConfigureAwait(false) != joined.Task)
        {
            await _membership.ConfigureAwait(false); // the first registration failed: its error says why
            starting.Token.ThrowIfCancellationRequested();
            throw new SkeinException($"node {Name} stopped before it joined");
        }
        _client = await SkeinClient.ConnectAsync(_agent.Coordinator, Settings.Token, new SkeinClientOptions { LocalServices = _host }, starting.Token)
            .ConfigureAwait(false);
        LogJoined(Name, ClusterAddress.Format(_agent.Coordinator), joined.Task.Result, CallAddress);
        Joined?.Invoke(joined.Task.Result);
    }

    private void Loaded(string path, LoadedModule module)
    {
        LogModuleLoaded(Name, module.Name, module.Loader);
        ModuleLoaded?.Invoke(path, module);
    }

    // The options the agent registers with: the configured ones, with the address found and the services loaded.
    private NodeOptions AgentOptions()
    {
        var options = new NodeOptions
        {
            Join = Settings.Join,
            Token = Settings.Token,
            Name = Settings.Name,
            Labels = Settings.Labels,
            Cores = Settings.Cores,
            Slots = Settings.Slots,
            MemoryBytes = Settings.MemoryBytes,
            Address = CallAddress,
            JoinTimeout = Settings.JoinTimeout,
            RegisterCeiling = Settings.RegisterCeiling,
            MaxReconnectDelay = Settings.MaxReconnectDelay,
        };
        foreach (var service in Settings.Services.Concat(_host!.Describe())) options.Services.Add(service);
        return options;
    }

    private void OnServicesChanged()
    {
        if (_agent is { } agent && _host is { } host)
            _ = agent.UpdateServicesAsync(Settings.Services.Concat(host.Describe()), _stopping.Token);
    }

    private void Publish(string subject, ReadOnlyMemory<byte> payload)
    {
        try
        {
            _bus?.PublishAsync(subject, payload, ct: _stopping.Token); // queued; the stream reports failures itself
        }
        catch (ArgumentException ex)
        {
            // A module's bad event (a bad subject, a payload over the limit) is refused; the module goes on.
            if (EventRefused is { } refused) refused(ex);
            else LogEventRefused(Name, ex.Message);
        }
    }

    private void OnFailNodeRequested(object? sender, ModuleGaveUpEventArgs gaveUp)
    {
        if (Interlocked.CompareExchange(ref _failedModule, gaveUp, null) is not null) return;
        FailNodeRequested?.Invoke(this, gaveUp);
        (_services.GetService(typeof(IHostApplicationLifetime)) as IHostApplicationLifetime)?.StopApplication();
    }

    /// <summary>Leaves the cluster (telling the coordinator), stops serving calls, and stops and unloads the modules.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_client is { } client) await client.DisposeAsync().ConfigureAwait(false);
        if (_membership is { } membership)
        {
            try
            {
                await membership.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A failed first registration was reported by StartAsync; leaving has nothing more to say.
            }
        }
        _agent?.Dispose();
        if (_endpoint is { } endpoint) await endpoint.DisposeAsync().ConfigureAwait(false); // also disposes the services
        else if (_host is { } host) await host.DisposeAsync().ConfigureAwait(false);
        if (_bus is { } bus) await bus.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops serving calls without leaving the cluster: what a killed node's clients see, for tests.</summary>
    internal async ValueTask BreakEndpointAsync()
    {
        if (_endpoint is { } endpoint) await endpoint.StopAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Debug, Message = "node {Node} loaded module {Module} ({Loader})")]
    private partial void LogModuleLoaded(string node, string module, string loader);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Debug, Message = "node {Node} joined {Coordinator} as {NodeId}, serving calls at {Address}")]
    private partial void LogJoined(string node, string coordinator, string nodeId, string address);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "node {Node}: a module's event was refused: {Problem}")]
    private partial void LogEventRefused(string node, string problem);
}
