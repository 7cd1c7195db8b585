using Skein;
using Skein.Testing;

namespace Skein.Examples.Experiments;

/// <summary>Experiments written in C#: each [Experiment] method is one experiment of the suite that names this assembly.</summary>
public static class ClusterExperiments
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>Reads a parameter, keeps a note in its scratch directory, and reports two results.</summary>
    [Experiment(Description = "the configuration's greeting reaches the experiment", Tags = ["REQ-1", "TC-1"], Timeout = "1m")]
    public static async Task Greets(ExperimentContext context)
    {
        var greeting = context.Parameters.GetValueOrDefault("GREETING", "(none)");
        context.Log.WriteLine($"{context.Identity.Experiment}, attempt {context.Identity.Attempt} on {context.Identity.Node}: {greeting}");
        await File.AppendAllTextAsync(Path.Combine(context.ScratchDirectory, "greetings.txt"), greeting + Environment.NewLine, context.CancellationToken);
        context.Report("greeting", greeting == "hello" ? Outcome.Passed : Outcome.Failed, greeting);
        context.Report("scratch", Outcome.Passed, context.ScratchDirectory);
    }

    /// <summary>Two experiments on two nodes exchange where they run, then wait for each other to finish.</summary>
    [Experiment(Description = "meets its partner on the other node", Tags = ["REQ-2"], Node = "node-1")]
    public static Task Ping(ExperimentContext context) => MeetAsync(context);

    [Experiment(Description = "meets its partner on the other node", Tags = ["REQ-2"], Node = "node-2")]
    public static Task Pong(ExperimentContext context) => MeetAsync(context);

    private static async Task MeetAsync(ExperimentContext context)
    {
        var contexts = await context.Client.ExchangeAsync("ping-pong", 2, context.Identity.Node, Patience, context.CancellationToken);
        foreach (var (participant, node) in contexts) context.Log.WriteLine($"{participant} runs on {node}");
        if (contexts.Count != 2) throw new InvalidOperationException($"expected two at the barrier, saw {contexts.Count}");
        await context.Client.BarrierAsync("ping-pong-done", 2, Patience, context.CancellationToken);
    }
}
