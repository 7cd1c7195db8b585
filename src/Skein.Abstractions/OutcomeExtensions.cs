namespace Skein;

public static class OutcomeExtensions
{
    /// <summary>True for outcomes that let dependents run: passed and warned.</summary>
    public static bool IsSuccess(this Outcome outcome) => outcome is Outcome.Passed or Outcome.Warned;

    /// <summary>The worse of two outcomes.</summary>
    public static Outcome Worst(this Outcome own, Outcome other) => other > own ? other : own;

    /// <summary>
    /// A task's outcome once a sub-result is taken into account: the worse of the two, except that a skipped
    /// sub-result (a test case that chose not to run) does not make its task worse.
    /// </summary>
    public static Outcome CombineWithSubResult(this Outcome own, Outcome sub) => sub == Outcome.Skipped ? own : own.Worst(sub);

    /// <summary>The name used in job files, reports and the journal: passed, warned, failed, errored, timed-out, skipped, cancelled.</summary>
    public static string ToWireName(this Outcome outcome) => outcome switch
    {
        Outcome.Passed => "passed",
        Outcome.Warned => "warned",
        Outcome.Skipped => "skipped",
        Outcome.Failed => "failed",
        Outcome.TimedOut => "timed-out",
        Outcome.Errored => "errored",
        Outcome.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    public static bool TryParse(string? text, out Outcome outcome)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "passed" or "pass" or "ok": outcome = Outcome.Passed; return true;
            case "warned" or "warn" or "warning": outcome = Outcome.Warned; return true;
            case "skipped" or "skip": outcome = Outcome.Skipped; return true;
            case "failed" or "fail": outcome = Outcome.Failed; return true;
            case "timed-out" or "timedout" or "timeout": outcome = Outcome.TimedOut; return true;
            case "errored" or "error": outcome = Outcome.Errored; return true;
            case "cancelled" or "canceled": outcome = Outcome.Cancelled; return true;
            default: outcome = default; return false;
        }
    }

    public static Outcome Parse(string text) =>
        TryParse(text, out var outcome) ? outcome : throw new FormatException($"'{text}' is not an outcome (passed, warned, failed, errored, timed-out, skipped, cancelled).");
}
