using Skein.Bench.Reporting;

namespace Skein.Bench.Scenarios;

/// <summary>One named benchmark. It warms up once, then measures, and returns the rows it wants reported.</summary>
internal abstract class Scenario
{
    public abstract string Name { get; }

    /// <summary>One line for --list and the README.</summary>
    public abstract string Description { get; }

    public abstract Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken);
}
