using Skein.Engine;

namespace Skein.Cli.Reporting;

/// <summary>
/// How a run ended, in counts: what the reports print, the same whether the run was in this process
/// (<see cref="RunSummary"/>) or hosted by a cluster's coordinator (its end, as it came over the wire).
/// </summary>
internal sealed class RunTotals
{
    private readonly int[] _counts = new int[Enum.GetValues<Outcome>().Length];

    public RunTotals(long runId, RunStatus status, DateTimeOffset startedAt, TimeSpan duration, Func<Outcome, int> count)
    {
        RunId = runId;
        Status = status;
        StartedAt = startedAt;
        Duration = duration;
        foreach (var outcome in Enum.GetValues<Outcome>()) _counts[(int)outcome] = count(outcome);
    }

    public static RunTotals From(RunSummary summary) =>
        new(summary.RunId, summary.Status, summary.StartedAt, summary.Duration, summary.Count);

    public long RunId { get; }
    public RunStatus Status { get; }
    public DateTimeOffset StartedAt { get; }
    public TimeSpan Duration { get; }

    public int Count(Outcome outcome) => _counts[(int)outcome];

    public int Total => _counts.Sum();

    /// <summary>True when every task passed or warned.</summary>
    public bool Succeeded => Total == Count(Outcome.Passed) + Count(Outcome.Warned);
}
