using Skein.Bench.Reporting;

namespace Skein.Bench.Scenarios;

/// <summary>The scenarios this build can measure, in the order "all" runs them.</summary>
internal static class ScenarioCatalog
{
    /// <param name="journal">
    /// The journal the <c>journal</c> scenario measures, with its name. Without one that scenario is reported as not
    /// measured rather than run against a stand-in.
    /// </param>
    public static IReadOnlyList<Scenario> Create((string Name, JournalFactory Open)? journal)
    {
        var scenarios = new List<Scenario>
        {
            new NoopScenario(),
            new ChainScenario(),
            new FanScenario(),
            new MillionScenario(),
            new MemoryScenario(),
            new CommandsScenario(),
            new EventsScenario(),
            new ClusterJobsScenario(),
            new ClusterArtifactsScenario(),
            new PipelineCheckScenario(),
            new PipelineEdgeScenario(),
        };
        scenarios.Add(journal is { } j ? new JournalScenario(j.Name, j.Open) : new UnavailableScenario(
            "journal", "no-op tasks with the run journal on",
            "not measured: this build registers no journal implementation (see bench/Skein.Bench/Journals.cs)"));
        return scenarios;
    }

    /// <summary>A scenario this build cannot measure; it says so in the report instead of vanishing from it.</summary>
    private sealed class UnavailableScenario(string name, string description, string reason) : Scenario
    {
        public override string Name => name;

        public override string Description => $"{description} ({reason})";

        public override Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ResultRow>>([new ResultRow(name, "—", "not measured") { Note = reason }]);
    }
}
