using Skein.Engine;
using Skein.Engine.JobFiles;

namespace Skein.Cli;

/// <summary>Reads a job file and validates it, printing every problem (load and graph) at once.</summary>
internal static class JobLoading
{
    /// <returns>The job, or null when it has errors (already printed).</returns>
    public static Job? LoadValidated(string path, IReadOnlyCollection<string>? only, TextWriter error, out JobPlan? plan)
    {
        plan = null;
        InputFiles.NotADirectory(path, "job file");
        var loaded = JobFileLoader.Load(path);
        var problems = new List<ValidationProblem>(loaded.Problems);
        if (loaded.Job is { } job)
        {
            plan = JobValidator.Plan(job, only);
            foreach (var problem in plan.Problems)
            {
                // The job's own warnings were already reported by the loader.
                if (!ContainsReference(job.Warnings, problem)) problems.Add(problem);
            }
        }
        var hasErrors = problems.Exists(p => p.Severity == ProblemSeverity.Error);
        if (hasErrors || problems.Count > 0) ProblemPrinter.Print(problems, error);
        return hasErrors ? null : loaded.Job;
    }

    private static bool ContainsReference(IReadOnlyList<ValidationProblem> list, ValidationProblem problem)
    {
        foreach (var item in list)
        {
            if (ReferenceEquals(item, problem)) return true;
        }
        return false;
    }
}
