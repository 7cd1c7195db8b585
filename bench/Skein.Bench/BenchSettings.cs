namespace Skein.Bench;

/// <summary>What the command line asked for. Built once in <see cref="Program"/>.</summary>
internal sealed class BenchSettings
{
    /// <summary>Measured repetitions of cheap scenarios; the median is reported.</summary>
    public int Repetitions { get; init; } = 5;

    /// <summary>Print the results as markdown table rows for bench/RESULTS.md as well as the console table.</summary>
    public bool Markdown { get; init; }

    /// <summary>Where runs keep their state (task logs); deleted when the bench ends.</summary>
    public required string StateDirectory { get; init; }

    public int Cores { get; init; } = Environment.ProcessorCount;

    /// <summary>--nodes N: pipeline-edge also runs its chain on a local cluster of N nodes (0: in process only).</summary>
    public int Nodes { get; init; }
}
