using System.CommandLine;
using Skein.Cluster.Runs;

namespace Skein.Cli.Commands;

/// <summary><c>skein cancel RUN</c>: stop a run the cluster hosts, as Ctrl+C on its <c>skein run</c> would.</summary>
internal static class CancelCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("RUN") { Description = RunReference.Help };
        var state = CommonOptions.State();
        var cluster = ClusterConnection.ClusterOption();
        var tokenFile = ClusterConnection.TokenFileOption();
        var command = new Command("cancel",
            "Cancel a run hosted by the cluster: nothing new starts, running tasks are stopped (SIGTERM, then SIGKILL after their kill-grace), the rest are recorded cancelled.")
        {
            run, cluster, tokenFile, state,
        };
        command.SetAction(async (parse, ct) =>
        {
            var stateDirectory = parse.GetValue(state)!;
            var address = ClusterTarget.Require(parse.GetValue(cluster), stateDirectory, "skein cancel");
            var token = ClusterConnection.ResolveToken(parse.GetValue(tokenFile), stateDirectory);
            using var client = new RunsClient(address, token);
            var runId = await RunReference.ResolveAsync(client, parse.GetValue(run)!, ct).ConfigureAwait(false);
            var cancelled = await client.CancelAsync(runId, ct).ConfigureAwait(false);
            await parse.InvocationConfiguration.Output.WriteLineAsync(cancelled
                ? $"run {runId} cancelled; its tasks are being stopped"
                : $"run {runId} had already ended").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
