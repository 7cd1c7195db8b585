using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skein.Cluster.Addressing;

namespace Skein.Cluster.Internal;

/// <summary>
/// The one way Skein serves gRPC: Kestrel with HTTP/2 only (no TLS on trusted networks), every call behind the
/// token interceptor, detailed errors off, and the process's own lifetime in charge of stopping.
/// </summary>
internal static class GrpcServer
{
    public static WebApplicationBuilder CreateBuilder(ListenAddress listen, string token, Action<ILoggingBuilder>? configureLogging, int? maxMessageBytes = null) =>
        CreateBuilder(listen, token, configureLogging, loggers: null, maxMessageBytes);

    /// <param name="loggers">
    /// The logger factory of the application hosting this server (a node or coordinator added to its generic host), so
    /// that the server logs where the application does; null gives the server its own, set up by <paramref name="configureLogging"/>.
    /// </param>
    public static WebApplicationBuilder CreateBuilder(ListenAddress listen, string token, Action<ILoggingBuilder>? configureLogging, ILoggerFactory? loggers,
        int? maxMessageBytes = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        configureLogging?.Invoke(builder.Logging);
        // Registered as an instance, the application's factory is not disposed with this server.
        if (loggers is not null) builder.Services.AddSingleton(loggers);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            void Http2Only(ListenOptions o) => o.Protocols = HttpProtocols.Http2;
            switch (listen.Host)
            {
                case "localhost": kestrel.ListenLocalhost(listen.Port, Http2Only); break;
                case "*": kestrel.ListenAnyIP(listen.Port, Http2Only); break;
                default: kestrel.Listen(IPAddress.Parse(listen.Host), listen.Port, Http2Only); break;
            }
        });
        builder.Services.AddSingleton<IHostLifetime, OwnerControlledLifetime>();
        builder.Services.AddSingleton(new ClusterSecret(token));
        builder.Services.AddSingleton<TokenInterceptor>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<TokenInterceptor>();
            grpc.EnableDetailedErrors = false;
            if (maxMessageBytes is { } limit)
            {
                grpc.MaxReceiveMessageSize = limit;
                grpc.MaxSendMessageSize = limit;
            }
        });
        // The standard services a generic gRPC client (grpcurl, a load balancer, Kubernetes) expects: health answers
        // without the token (it says nothing but "serving"), reflection only with it (it describes every service).
        builder.Services.AddGrpcHealthChecks().AddCheck<ServingCheck>("skein");
        builder.Services.AddGrpcReflection();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        return builder;
    }

    /// <summary>Maps grpc.health.v1 and server reflection (v1 and v1alpha) beside the application's own services.</summary>
    public static void MapStandardServices(WebApplication app)
    {
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
    }

    /// <summary>Starts <paramref name="app"/> and returns the address it really listens on (the real port when 0 was asked for).</summary>
    public static async Task<Uri> StartAsync(WebApplication app, string listen, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new SkeinException($"cannot listen on {listen}: {ex.Message}", ex);
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new Uri(bound.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal));
    }
}

/// <summary>
/// The server's own health: serving until it starts stopping. (Without a registered check the health service answers
/// "unknown", which probes read as unhealthy.)
/// </summary>
internal sealed class ServingCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("stopping")
            : HealthCheckResult.Healthy());
}
