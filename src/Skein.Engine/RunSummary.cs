namespace Skein.Engine;

/// <summary>How a run ended, in counts. The results themselves stream out as the run goes.</summary>
public sealed class RunSummary
{
    private readonly int[] _counts;

    internal RunSummary(long runId, RunStatus status, int[] counts, DateTimeOffset startedAt, TimeSpan duration)
    {
        RunId = runId;
        Status = status;
        _counts = counts;
        StartedAt = startedAt;
        Duration = duration;
    }

    public long RunId { get; }
    public RunStatus Status { get; }
    public DateTimeOffset StartedAt { get; }
    public TimeSpan Duration { get; }

    public int Count(Outcome outcome) => _counts[(int)outcome];

    public int Total
    {
        get
        {
            var total = 0;
            foreach (var c in _counts) total += c;
            return total;
        }
    }

    /// <summary>True when every task passed or warned.</summary>
    public bool Succeeded => Total == Count(Outcome.Passed) + Count(Outcome.Warned);
}
