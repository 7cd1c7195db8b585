using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skein.Cluster.Events;
using Skein.Cluster.Internal;
using Skein.Cluster.Membership;

namespace Skein.Cluster;

/// <summary>
/// The root of a cluster: a generic host running Kestrel (HTTP/2 only) with the membership service
/// behind the token interceptor. Start it with <see cref="StartAsync"/>, stop it with <see cref="StopAsync"/>.
/// </summary>
public sealed partial class Coordinator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CoordinatorOptions _options;
    private readonly ILogger _logger;
    private int _stopped;

    private Coordinator(WebApplication app, CoordinatorOptions options, Uri address)
    {
        _app = app;
        _options = options;
        Address = address;
        _logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<Coordinator>();
    }

    /// <summary>Where nodes and clients reach this coordinator (the real port when 0 was asked for).</summary>
    public Uri Address { get; }

    public string TokenPath => Path.GetFullPath(Path.Combine(_options.StateDirectory, ClusterToken.FileName));

    public MembershipRegistry Membership => _app.Services.GetRequiredService<MembershipRegistry>();

    /// <summary>The coordinator's event bus; membership publishes node.joined, node.lost and node.left on it.</summary>
    public EventBus Events => _app.Services.GetRequiredService<EventBus>();

    public static async Task<Coordinator> StartAsync(
        CoordinatorOptions options,
        Action<ILoggingBuilder>? configureLogging = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
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

        var builder = GrpcServer.CreateBuilder(listen, token, configureLogging);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(timeProvider ?? TimeProvider.System);
        builder.Services.AddSingleton(services => new EventBus(services.GetRequiredService<TimeProvider>(), options.EventHistoryCapacity,
            options.EventHistoryMaxBytes, options.MaxEventPayloadBytes));
        builder.Services.AddSingleton<MembershipRegistry>();

        var app = builder.Build();
        app.MapGrpcService<MembershipService>();
        app.MapGrpcService<EventsService>();
        var coordinator = new Coordinator(app, options, await GrpcServer.StartAsync(app, options.Listen, cancellationToken).ConfigureAwait(false));
        new ConnectionFile(ClusterAddress.Format(coordinator.Address), coordinator.TokenPath, Environment.ProcessId).Write(options.StateDirectory);
        coordinator.LogListening(coordinator.Address);
        return coordinator;
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
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        try
        {
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
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
