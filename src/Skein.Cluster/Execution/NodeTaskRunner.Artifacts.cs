using Skein.Cluster.Protocol.Tasks;
using Skein.Engine;
using Skein.Shared.Artifacts;

namespace Skein.Cluster.Execution;

// Artifacts on a node: an attempt's inputs are placed in its working directory before its command starts, and what
// it hands on is collected and sent to the coordinator once it passed.
internal sealed partial class NodeTaskRunner
{
    /// <summary>The node's artifact cache and its way to the coordinator; null on a runner made without one (then attempts with artifacts error).</summary>
    internal NodeArtifacts? Artifacts { get; init; }

    /// <summary>Runs the command between placing its inputs and collecting its artifacts, when the attempt has either.</summary>
    private async Task<ActionResult> RunWithArtifactsAsync(StartAttempt start, string workdir, CommandAction action, IAttemptOutput reporter, CancellationToken stop)
    {
        if (start.InputArtifacts.Count == 0 && start.ArtifactPatterns.Count == 0)
            return await action.RunAsync(start.Task, start.Attempt, start.RunId, reporter, stop).ConfigureAwait(false);
        if (Artifacts is null) return ActionResult.Errored($"node {NodeName} cannot exchange artifacts: it was started without a coordinator to exchange them with");
        NodeArtifacts.Attempt exchange;
        try
        {
            exchange = Artifacts.For(start.RunId, start.ArtifactLimit, start.ArtifactStore);
        }
        catch (Exception ex) when (ex is InvalidOperationException or UriFormatException or ArgumentException)
        {
            return ActionResult.Errored($"node {NodeName} cannot exchange artifacts: {ex.Message}");
        }
        if (start.InputArtifacts.Count > 0)
        {
            var inputs = start.InputArtifacts.Select(a => new ArtifactFile(a.Path, a.Size, a.Sha256)).ToArray();
            if (await ArtifactStager.StageAsync(workdir, inputs, exchange, stop).ConfigureAwait(false) is { } problem)
                return ActionResult.Errored($"{problem} (on node {NodeName})");
        }
        var result = await action.RunAsync(start.Task, start.Attempt, start.RunId, reporter, stop).ConfigureAwait(false);
        if (!result.Outcome.IsSuccess() || start.ArtifactPatterns.Count == 0) return result;
        var (files, collectProblem) = await ArtifactCollector.CollectAsync(workdir, [.. start.ArtifactPatterns], start.Task, exchange, reporter.Write, stop).ConfigureAwait(false);
        if (collectProblem is not null) return new ActionResult(Outcome.Failed, collectProblem, null, result.ExitCode) { Outputs = result.Outputs };
        return result with { Artifacts = files };
    }

    private static void AddArtifacts(AttemptFinished finished, ActionResult result)
    {
        foreach (var file in result.Artifacts)
            finished.Artifacts.Add(new Protocol.Artifacts.ArtifactRef { Path = file.Path, Size = file.Size, Sha256 = file.Sha256 });
    }
}
