using System.CommandLine;
using Skein.Cli.Output;
using Skein.Cluster.Runs;

namespace Skein.Cli.Commands;

/// <summary><c>skein attach RUN</c>: follow a run the cluster hosts — what happened, then what happens — as <c>skein run</c> would.</summary>
internal static class AttachCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("RUN") { Description = RunReference.Help };
        var state = CommonOptions.State();
        var cluster = ClusterConnection.ClusterOption();
        var tokenFile = ClusterConnection.TokenFileOption();
        var report = new Option<string>("--report") { Description = "Report at the end: summary, detail or both.", DefaultValueFactory = _ => "summary" };
        report.AcceptOnlyFromAmong("summary", "detail", "both");
        var junit = new Option<string?>("--junit") { Description = "Also write a JUnit XML report to PATH.", HelpName = "PATH" };
        var json = new Option<string?>("--json") { Description = "Also write a JSON report to PATH.", HelpName = "PATH" };
        var plain = new Option<bool>("--plain") { Description = "One line per event even on a terminal (the default when output is not a terminal)." };
        var outputMode = RunOutput.OutputOption();
        var quiet = RunOutput.QuietOption();
        var command = new Command("attach",
            "Follow a run hosted by the cluster (from 'skein run --detach'): replay what happened, then follow it to its end. " +
            "Ctrl+C cancels the run, as it does for 'skein run'.")
        {
            run, cluster, tokenFile, state, report, junit, json, plain, outputMode, quiet,
        };
        command.SetAction(async (parse, ct) =>
        {
            var stateDirectory = parse.GetValue(state)!;
            var address = ClusterTarget.Require(parse.GetValue(cluster), stateDirectory, "skein attach");
            var token = ClusterConnection.ResolveToken(parse.GetValue(tokenFile), stateDirectory);
            using var client = new RunsClient(address, token);
            var runId = await RunReference.ResolveAsync(client, parse.GetValue(run)!, ct).ConfigureAwait(false);
            var settings = new RemoteRun.ReportSettings(parse.GetValue(report)!, parse.GetValue(junit), parse.GetValue(json), parse.GetValue(plain))
            {
                Output = RunOutput.Read(parse.GetValue(outputMode), parse.GetValue(quiet)),
            };
            return await RemoteRun.FollowAsync(client, runId, settings, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error).ConfigureAwait(false);
        });
        return command;
    }
}
