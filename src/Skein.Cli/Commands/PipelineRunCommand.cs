using System.CommandLine;
using Skein.Cli.Output;
using Skein.Cli.Pipelines;
using Skein.Cluster;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;
using Skein.Cluster.Execution;
using Skein.Engine;
using Skein.Pipelines;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein pipeline run PATH</c>: check the pipeline, compile it to a job and run it with this process hosting the
/// run — its elements here, or on a cluster's nodes (<c>--cluster</c>, a coordinator running from the state
/// directory, or a throwaway local one with <c>--nodes N</c>), where the pipeline's assembly is shipped to run them.
/// The live view, summary, reports, <c>--resume</c> and exit codes are <c>skein run</c>'s.
/// </summary>
internal static class PipelineRunCommand
{
    public static Command Create()
    {
        var path = PipelineCommand.PathArgument();
        var name = PipelineCommand.PipelineOption();
        var run = new RunOptionSet("elements",
            resumeDescription: "Re-run only the elements that did not pass in the latest run of this pipeline (and those whose definition changed).",
            localDescription: "Run in this process even when a cluster is named (placement is then ignored).",
            nodesDescription: "Run on a throwaway local cluster of N nodes (node-1 … node-N), started for this run and stopped after it.");

        var command = new Command("run",
            "Run a pipeline: on the cluster when one is named (--cluster, $SKEIN_CLUSTER, or a coordinator running from the state directory), " +
            "else in this process; --local forces this process, --nodes N a throwaway local cluster.")
        {
            path, name, run.Workers, run.State, run.Resume, run.Report, run.JUnit, run.Json, run.Plain, run.OutputMode, run.Quiet,
            run.Cluster, run.TokenFile, run.Local, run.Nodes,
        };
        command.SetAction((parse, ct) =>
        {
            var settings = run.Read(parse, parse.GetValue(path)!, only: null, dryRun: false);
            return ExecuteAsync(settings, parse.GetValue(name), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct);
        });
        return command;
    }

    private static async Task<int> ExecuteAsync(RunCommand.RunSettings settings, string? pipelineName, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (settings.Workers < 1) throw new SkeinException($"--workers must be 1 or more (got {settings.Workers})");
        RunCommand.CheckWhere(settings);
        // Decided before the project is built, so that a cluster named by mistake is said before a long build.
        var address = settings.Local || settings.Nodes is not null ? null : ClusterTarget.Find(settings.Cluster, settings.State);
        var token = address is null ? null : ClusterConnection.ResolveToken(settings.TokenFile, settings.State);

        var loaded = await PipelineLoading.LoadAsync(settings.File, pipelineName, error, cancellationToken).ConfigureAwait(false);
        var check = PipelineChecker.Check(loaded.Pipeline);
        if (!PipelineProblems.Print(loaded.Pipeline, check, error)) return ExitCodes.InvalidInput;
        // The shipment and the locator let a node rebuild the same pipeline from the same assembly where an element is placed.
        var job = PipelineCompiler.Compile(loaded.Pipeline, new PipelineRunOptions
        {
            Definition = loaded.Definition,
            Shipment = new AssemblyShipment(loaded.Assembly.Path),
        });

        if (address is not null) return await RunOnClusterAsync(job, settings, address, token!, ClusterTarget.NamedExplicitly(settings.Cluster), output, error, cancellationToken).ConfigureAwait(false);
        if (settings.Nodes is { } count)
        {
            return await RunCommand.OnThrowawayClusterAsync(count, (clusterAddress, clusterToken) =>
                RunOnClusterAsync(job, settings, clusterAddress, clusterToken, explicitly: true, output, error, cancellationToken), error).ConfigureAwait(false);
        }
        return await RunCommand.RunHereAsync(job, settings, executor: null, output, error, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Hosts the run here and sends its elements to the cluster's nodes, the assembly shipped with them.</summary>
    private static async Task<int> RunOnClusterAsync(Job job, RunCommand.RunSettings settings, Uri address, string token, bool explicitly,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        SkeinClient client;
        try
        {
            client = await SkeinClient.ConnectAsync(address, token, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterUnreachableException ex) when (explicitly)
        {
            // A cluster named on purpose that is not there is a mistake in the input: nothing ran.
            throw new SkeinException($"{ex.Message}; nothing ran", ex);
        }
        await using (client.ConfigureAwait(false))
        {
            await using var executor = new ClusterExecutor(client);
            return await RunCommand.RunHereAsync(job, settings, executor, output, error, cancellationToken).ConfigureAwait(false);
        }
    }
}
