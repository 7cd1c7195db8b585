using Skein.Pipelines;

namespace Skein.Cli.Pipelines;

/// <summary>Prints a pipeline's problems as <c>skein validate</c> prints a job file's: one per line, then their count.</summary>
internal static class PipelineProblems
{
    /// <returns>True when there were none.</returns>
    public static bool Print(Pipeline pipeline, PipelineCheck check, TextWriter error, string outcome = "nothing ran")
    {
        if (check.IsValid) return true;
        foreach (var problem in check.Problems) error.WriteLine($"{pipeline.Name}: error: {problem.Message}");
        var count = check.Problems.Count;
        error.WriteLine($"{count} error{(count == 1 ? "" : "s")} in pipeline {pipeline.Name}; {outcome}.");
        return false;
    }
}
