using Skein.Engine;

namespace Skein.Cli;

/// <summary>Prints a validated job as its dependency layers: what could run at once, in order.</summary>
internal static class PlanPrinter
{
    public static void Print(Job job, JobPlan plan, TextWriter output)
    {
        output.WriteLine($"job '{job.Name}': {plan.TaskCount} task{(plan.TaskCount == 1 ? "" : "s")} in {plan.Layers.Count} layer{(plan.Layers.Count == 1 ? "" : "s")}");
        for (var i = 0; i < plan.Layers.Count; i++)
        {
            output.WriteLine($"  layer {i + 1}: {string.Join(", ", plan.Layers[i])}");
        }
        if (job.Groups.Count > 0)
            output.WriteLine($"  groups: {string.Join(", ", job.Groups.Select(g => $"{g.Key} ({g.Value.Workers} worker{(g.Value.Workers == 1 ? "" : "s")})"))}");
    }
}
