using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Skein.Bench.Orleans;

/// <summary>A single localhost silo hosting <see cref="EchoGrain"/>, and the client that connects to it.</summary>
public static class EchoCluster
{
    // Distinct from Orleans' "dev" defaults so that a developer's own localhost silo is never joined by mistake.
    private const string ServiceId = "skein-bench";
    private const string ClusterId = "skein-bench";

    /// <summary>Starts a silo listening on loopback at the given silo and gateway ports.</summary>
    public static async Task<IHost> StartSiloAsync(int siloPort, int gatewayPort, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        QuietLogging(builder.Logging);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: ServiceId, clusterId: ClusterId));
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return host;
    }

    /// <summary>Starts a client connected to the silo's gateway on loopback.</summary>
    public static async Task<IHost> StartClientAsync(int gatewayPort, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        QuietLogging(builder.Logging);
        builder.UseOrleansClient(client => client.UseLocalhostClustering(gatewayPort, ServiceId, ClusterId));
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return host;
    }

    // Warnings and errors still reach stderr (the parent forwards it); Orleans' informational start-up log does not.
    private static void QuietLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}
