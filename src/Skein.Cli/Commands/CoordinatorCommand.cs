using System.CommandLine;
using Skein.Cluster;

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
        var command = new Command("coordinator", "Run a cluster's coordinator in the foreground (stop with Ctrl+C).") { listen, state };
        command.SetAction(async (parse, _) =>
        {
            var output = parse.InvocationConfiguration.Output;
            using var shutdown = new Shutdown();
            var options = new CoordinatorOptions { Listen = parse.GetValue(listen)!, StateDirectory = parse.GetValue(state)! };
            await using var coordinator = await Coordinator.StartAsync(options, ClusterLogging.Configure).ConfigureAwait(false);
            output.WriteLine($"coordinator listening on {ClusterAddress.Format(coordinator.Address)}");
            output.WriteLine($"token: {coordinator.TokenPath}");
            output.Flush();
            await shutdown.WaitAsync().ConfigureAwait(false);
            await coordinator.StopAsync().ConfigureAwait(false);
            output.WriteLine("coordinator stopped");
            return ExitCodes.Success;
        });
        return command;
    }
}
