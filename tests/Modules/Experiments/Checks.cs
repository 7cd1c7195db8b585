using Skein;
using Skein.Testing;

namespace Experiments;

/// <summary>One experiment for each thing a C# experiment may do or meet: the tests read each one's outcome from the report.</summary>
public sealed class Checks
{
    [Experiment(Description = "returns, so passes", Tags = ["REQ-7", "TC-1"])]
    public static void Passes(ExperimentContext context)
    {
        context.Log.WriteLine("all good");
        context.Logger.LogLineForTest("logged through the logger");
    }

    [Experiment(Description = "throws, so fails with the exception's message")]
    public static Task Throws() => throw new InvalidOperationException("the widget count was off");

    [Experiment]
    public static async Task ThrowsLater(ExperimentContext context)
    {
        await Task.Yield();
        throw new ArgumentException("no such widget: 41");
    }

    [Experiment(Description = "several results, one failing")]
    public static void Reports(ExperimentContext context)
    {
        context.Report("login", Outcome.Passed);
        context.Report("checkout", Outcome.Failed, "expected 200, got 500");
    }

    [Experiment(Description = "the parameters, the scratch directory and the run's identity")]
    public static async ValueTask Context(ExperimentContext context)
    {
        var greeting = context.Parameters.TryGetValue("GREETING", out var value) ? value : "(none)";
        var marker = Path.Combine(context.ScratchDirectory, "marker.txt");
        await File.WriteAllTextAsync(marker, greeting, context.CancellationToken);
        context.Report("greeting", greeting == "hello" ? Outcome.Passed : Outcome.Failed, greeting);
        context.Report("identity", Outcome.Passed, $"{context.Identity.Experiment} attempt {context.Identity.Attempt} run {context.Identity.RunId} on {context.Identity.Node}");
        context.Report("participant", Outcome.Passed, context.Client.Participant);
    }

    [Experiment(Description = "ignores its cancellation past its timeout", Timeout = "2s")]
    public static void Hangs() => Thread.Sleep(Timeout.Infinite);

    [Experiment(Name = "instance-method", Retries = 1)]
    public void Instance(ExperimentContext context) => context.Log.WriteLine("an instance method, attempt " + context.Identity.Attempt);
}

/// <summary>Two experiments on two nodes that meet at a barrier and exchange their nodes' names.</summary>
public sealed class Meeting
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Experiment(Node = "node-1", Tags = ["REQ-9"])]
    public Task MeetA(ExperimentContext context) => MeetAsync(context);

    [Experiment(Node = "node-2", Tags = ["REQ-9"])]
    public Task MeetB(ExperimentContext context) => MeetAsync(context);

    private static async Task MeetAsync(ExperimentContext context)
    {
        var contexts = await context.Client.ExchangeAsync("csharp-meeting", 2, context.Identity.Node, Patience, context.CancellationToken);
        var nodes = string.Join(",", contexts.Values.Order(StringComparer.Ordinal));
        if (nodes != "node-1,node-2") throw new InvalidOperationException($"expected node-1 and node-2 at the barrier, saw {nodes}");
        context.Report("met", Outcome.Passed, string.Join(",", contexts.Keys.Order(StringComparer.Ordinal)) + " from " + nodes);
        await context.Client.BarrierAsync("csharp-done", 2, Patience, context.CancellationToken);
    }
}

internal static class LoggerExtensions
{
    public static void LogLineForTest(this Microsoft.Extensions.Logging.ILogger logger, string text) =>
        Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logger, "{Text}", text);
}
