using Skein.Bench.Rpc.Load;

namespace Skein.Bench.Rpc.Reporting;

/// <summary>One line of the report: a target at one concurrency level, its measured rounds, or why there are none.</summary>
internal sealed class RpcRow(string target, int callers)
{
    public string Target { get; } = target;

    public int Callers { get; } = callers;

    public List<LevelResult> Rounds { get; } = [];

    /// <summary>Set when the target is pending or failed; the row then reports this instead of figures.</summary>
    public string? Problem { get; set; }

    /// <summary>The round with the median rate (the lower of the middle two for an even count), whole: its latencies go with its rate.</summary>
    public LevelResult? Median
    {
        get
        {
            if (Problem is not null || Rounds.Count == 0) return null;
            var sorted = Rounds.OrderBy(r => r.CallsPerSecond).ToList();
            return sorted[(sorted.Count - 1) / 2];
        }
    }

    public double MinCallsPerSecond => Rounds.Min(r => r.CallsPerSecond);

    public double MaxCallsPerSecond => Rounds.Max(r => r.CallsPerSecond);
}
