using Skein.Shared.Artifacts;

namespace Skein.Engine;

/// <summary>
/// A command attempt with artifacts, in this process: its needs' artifacts placed in its working directory first,
/// its own collected into the run's store once it passed.
/// </summary>
internal static class LocalArtifacts
{
    /// <summary>Whether the attempt has artifacts to receive or to hand on.</summary>
    public static bool Apply(TaskAttempt attempt) => attempt.InputArtifacts.Count > 0 || attempt.Task.Artifacts.Count > 0;

    public static async ValueTask<ActionResult> RunAsync(TaskAttempt attempt, CommandAction command, TaskContext context, RunArtifactStore store,
        CancellationToken cancellationToken)
    {
        var workdir = command.WorkingDirectory ?? Environment.CurrentDirectory;
        if (attempt.InputArtifacts.Count > 0)
        {
            if (!Directory.Exists(workdir)) return ActionResult.Errored($"working directory '{workdir}' does not exist");
            if (await ArtifactStager.StageAsync(workdir, attempt.InputArtifacts, store, cancellationToken).ConfigureAwait(false) is { } problem)
                return ActionResult.Errored(problem);
        }
        var result = await command.ExecuteAsync(context, cancellationToken).ConfigureAwait(false);
        return await CollectAsync(attempt, result, workdir, store, note: text => Note(context, text), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The result with the task's artifacts collected, when it passed and has some; a failed result when they could not be.</summary>
    private static async ValueTask<ActionResult> CollectAsync(TaskAttempt attempt, ActionResult result, string workdir, IArtifactSink sink,
        Action<string> note, CancellationToken cancellationToken)
    {
        if (!result.Outcome.IsSuccess() || attempt.Task.Artifacts.Count == 0) return result;
        var (files, problem) = await ArtifactCollector.CollectAsync(workdir, attempt.Task.Artifacts, attempt.TaskId, sink, note, cancellationToken).ConfigureAwait(false);
        if (problem is not null) return new ActionResult(Outcome.Failed, problem, null, result.ExitCode) { Outputs = result.Outputs };
        return result with { Artifacts = files };
    }

    private static void Note(TaskContext context, string text)
    {
        try
        {
            context.Log.Write(text);
        }
        catch (IOException)
        {
            // A note that cannot be written changes nothing about the artifacts.
        }
    }
}
