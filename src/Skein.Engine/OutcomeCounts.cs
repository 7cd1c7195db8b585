namespace Skein.Engine;

/// <summary>How many tasks of a run ended with each outcome.</summary>
public readonly record struct OutcomeCounts(int Passed, int Warned, int Skipped, int Failed, int TimedOut, int Errored, int Cancelled)
{
    public int this[Outcome outcome] => outcome switch
    {
        Outcome.Passed => Passed,
        Outcome.Warned => Warned,
        Outcome.Skipped => Skipped,
        Outcome.Failed => Failed,
        Outcome.TimedOut => TimedOut,
        Outcome.Errored => Errored,
        Outcome.Cancelled => Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    /// <summary>Tasks that have a final outcome.</summary>
    public int Finished => Passed + Warned + Skipped + Failed + TimedOut + Errored + Cancelled;
}
