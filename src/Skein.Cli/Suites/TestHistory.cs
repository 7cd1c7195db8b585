using Skein.Engine;

namespace Skein.Cli.Suites;

/// <summary>
/// The outcomes a test run records, as <c>skein test history</c> and <c>plan</c> print them: the engine's outcome read
/// against the configuration's expectations (<see cref="TestVerdicts"/>).
/// </summary>
internal static class TestOutcomes
{
    public const string Passed = "passed";
    public const string Failed = "failed";
    public const string Error = "error";
    public const string TimedOut = "timed out";
    public const string Skipped = "skipped";
    public const string Cancelled = "cancelled";
    public const string ExpectedFailure = "expected failure";
    public const string UnexpectedlyPassed = "unexpectedly passed";

    /// <summary>The outcome to record for one experiment's result after <see cref="TestVerdicts.Apply"/>.</summary>
    public static string Of(TaskResult applied) => applied.Outcome switch
    {
        Outcome.Warned when applied.Reason?.StartsWith(TestVerdicts.ExpectedFailurePrefix, StringComparison.Ordinal) == true => ExpectedFailure,
        Outcome.Failed when applied.Reason?.StartsWith(TestVerdicts.UnexpectedPass, StringComparison.Ordinal) == true => UnexpectedlyPassed,
        Outcome.Passed or Outcome.Warned => Passed,
        Outcome.Failed => Failed,
        Outcome.Errored => Error,
        Outcome.TimedOut => TimedOut,
        Outcome.Skipped => Skipped,
        _ => Cancelled,
    };

    /// <summary>What went as it should: a pass, or a failure the configuration expects.</summary>
    public static bool IsGood(string outcome) => outcome is Passed or ExpectedFailure;

    /// <summary>What did not: a failure, an error, a timeout, or an expected failure that passed.</summary>
    public static bool IsBad(string outcome) => outcome is Failed or Error or TimedOut or UnexpectedlyPassed;
}

/// <summary>One experiment over its latest recorded runs: how often it went well, how long it took, whether it flakes.</summary>
internal sealed record ExperimentHistory(
    string Experiment, int Runs, int Good, int Bad, TimeSpan MedianDuration, TimeSpan LastDuration, string LastOutcome, long LastRunId, bool Flaky)
{
    /// <summary>Good runs over runs that passed or failed (skipped and cancelled runs say nothing); null when there are none.</summary>
    public double? PassRate => Good + Bad == 0 ? null : (double)Good / (Good + Bad);
}

/// <summary>Summarises recorded results per experiment, and finds which experiments a NAME means.</summary>
internal static class TestHistory
{
    /// <summary>
    /// One entry per experiment, by id. An experiment is flaky when, within the window, it both went well and did
    /// not: its outcome changed with nothing in the configuration saying it should.
    /// </summary>
    public static List<ExperimentHistory> Summarize(IEnumerable<RecordedResult> results)
    {
        var histories = new List<ExperimentHistory>();
        foreach (var group in results.GroupBy(r => r.Experiment, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var newestFirst = group.OrderByDescending(r => r.RunId).ToList();
            var ran = newestFirst.Where(r => r.Outcome is not (TestOutcomes.Skipped or TestOutcomes.Cancelled)).ToList();
            var good = newestFirst.Count(r => TestOutcomes.IsGood(r.Outcome));
            var bad = newestFirst.Count(r => TestOutcomes.IsBad(r.Outcome));
            var durations = ran.Select(r => r.Duration).Order().ToList();
            var last = newestFirst[0];
            histories.Add(new ExperimentHistory(group.Key, newestFirst.Count, good, bad, Median(durations), ran.Count > 0 ? ran[0].Duration : TimeSpan.Zero,
                last.Outcome, last.RunId, Flaky: good > 0 && bad > 0));
        }
        return histories;
    }

    /// <summary>True when <paramref name="name"/> is the experiment's id, or its suite or a suite above it.</summary>
    public static bool Matches(string experiment, string name)
    {
        if (experiment == name) return true;
        var (suite, _) = ExperimentIds.Split(experiment);
        return suite == name || suite.StartsWith(name + "/", StringComparison.Ordinal);
    }

    /// <summary>Every experiment id and every suite (and suite above it) among <paramref name="experiments"/>: what a NAME may be.</summary>
    public static List<string> Names(IEnumerable<string> experiments)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var experiment in experiments)
        {
            names.Add(experiment);
            var (suite, _) = ExperimentIds.Split(experiment);
            for (var cut = suite.Length; cut > 0; cut = suite.LastIndexOf('/', cut - 1))
            {
                names.Add(suite[..cut]);
            }
        }
        return [.. names];
    }

    private static TimeSpan Median(List<TimeSpan> sorted) => sorted.Count switch
    {
        0 => TimeSpan.Zero,
        var n when n % 2 == 1 => sorted[n / 2],
        var n => (sorted[(n / 2) - 1] + sorted[n / 2]) / 2,
    };
}
