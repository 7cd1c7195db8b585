using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Skein.Cluster;
using Skein.Cluster.Addressing;
using Skein.Cluster.Configuration;

namespace Skein.Cli.Commands;

/// <summary><c>skein coordinator</c>: run the root of a cluster in the foreground until Ctrl+C or SIGTERM.</summary>
internal static class CoordinatorCommand
{
    public static Option<string> ListenOption(string defaultValue) => new("--listen")
    {
        Description = "Address to listen on, HOST:PORT; port 0 picks a free port.",
        HelpName = "HOST:PORT",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Command Create()
    {
        var listen = ListenOption("127.0.0.1:7700");
        var state = CommonOptions.State();
        var defaults = new CoordinatorOptions();
        var heartbeat = new Option<double>("--heartbeat-interval")
        {
            Description = "Seconds between a node's heartbeats.", HelpName = "SECONDS", DefaultValueFactory = _ => defaults.HeartbeatInterval.TotalSeconds,
        };
        var lostAfter = new Option<double>("--lost-after")
        {
            Description = "Seconds without a heartbeat after which a node is declared lost.", HelpName = "SECONDS", DefaultValueFactory = _ => defaults.LostAfter.TotalSeconds,
        };
        var config = CommandConfiguration.ConfigOption();
        var command = new Command("coordinator", "Run a cluster's coordinator in the foreground (stop with Ctrl+C).") { listen, state, heartbeat, lostAfter, config };
        command.SetAction(async (parse, _) =>
        {
            var output = parse.InvocationConfiguration.Output;
            // skein.yaml, then SKEIN_COORDINATOR__… variables, then the flags given.
            var settings = CommandConfiguration.ForCoordinator(parse, config, listen, heartbeat, lostAfter);
            using var shutdown = new Shutdown();
            var builder = CliHost.CreateBuilder();
            builder.Services.AddSkeinCoordinator(options =>
            {
                options.StateDirectory = parse.GetValue(state)!;
                settings.ApplyTo(options);
            });
            var host = builder.Build();
            try
            {
                await CliHost.StartAsync(host, CancellationToken.None).ConfigureAwait(false);
                var coordinator = host.Services.GetRequiredService<Coordinator>();
                output.WriteLine($"coordinator listening on {ClusterAddress.Format(coordinator.Address)}");
                output.WriteLine($"token: {coordinator.TokenPath}");
                output.Flush();
                await shutdown.WaitAsync().ConfigureAwait(false);
                await host.StopAsync().ConfigureAwait(false);
            }
            finally
            {
                await CliHost.DisposeAsync(host).ConfigureAwait(false);
            }
            output.WriteLine("coordinator stopped");
            return ExitCodes.Success;
        });
        return command;
    }
}
