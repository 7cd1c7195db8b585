using Skein.Engine;

namespace Skein.Cli.Suites;

/// <summary>
/// The run's results read against what the configuration expects: an expected failure that failed is fine (reported
/// as warned, "expected failure: …"), one that passed is not (failed, "unexpectedly passed"), and experiments the
/// configuration skips are added as skipped. When an experiment reported failed checks (<c>::result</c> lines) and
/// then exited non-zero, its reason starts with those checks: the engine's reason is then the exit code and the last
/// output line, which rarely says which check failed.
/// </summary>
internal static class TestVerdicts
{
    public const string ExpectedFailurePrefix = "expected failure";
    public const string UnexpectedPass = "unexpectedly passed";

    public static List<TaskResult> Apply(TestSelection selection, IReadOnlyList<TaskResult> results)
    {
        var applied = new List<TaskResult>(results.Count + selection.Skipped.Count);
        foreach (var reported in results)
        {
            var result = NamingFailedChecks(reported);
            if (!selection.ExpectedFailures.TryGetValue(result.TaskId, out var expectation))
            {
                applied.Add(result);
                continue;
            }
            var why = expectation.Reason is null ? "" : $" ({expectation.Reason})";
            applied.Add(result.Outcome switch
            {
                Outcome.Failed or Outcome.TimedOut or Outcome.Errored => With(result, Outcome.Warned,
                    $"{ExpectedFailurePrefix}{why}: {result.Outcome.ToWireName()}{(result.Reason is null ? "" : ": " + result.Reason)}"),
                Outcome.Passed or Outcome.Warned => With(result, Outcome.Failed, $"{UnexpectedPass}: it is listed in expected-failures{why}"),
                _ => result,
            });
        }
        foreach (var (experiment, reason) in selection.Skipped)
            applied.Add(new TaskResult { TaskId = experiment.Id, Outcome = Outcome.Skipped, Reason = reason });
        return applied;
    }

    /// <summary>True when every experiment passed, warned, failed as expected, or was skipped by the configuration.</summary>
    public static bool AllAsExpected(TestSelection selection, IReadOnlyList<TaskResult> applied)
    {
        var skippedOnPurpose = selection.Skipped.Select(s => s.Experiment.Id).ToHashSet(StringComparer.Ordinal);
        return applied.All(r => r.Outcome.IsSuccess() || (r.Outcome == Outcome.Skipped && skippedOnPurpose.Contains(r.TaskId)));
    }

    private const int MaxNamedChecks = 5;

    private static TaskResult NamingFailedChecks(TaskResult result)
    {
        if (result.Outcome.IsSuccess() || result.SubResults.Count == 0 || result.ExitCode is null or 0) return result;
        var failed = result.SubResults.Where(r => !r.Outcome.IsSuccess() && r.Outcome != Outcome.Skipped).ToList();
        if (failed.Count == 0) return result;
        var named = string.Join(", ", failed.Take(MaxNamedChecks).Select(r => r.Message is null ? r.Name : $"{r.Name} ({r.Message})"));
        var more = failed.Count > MaxNamedChecks ? $" and {failed.Count - MaxNamedChecks} more" : "";
        var checks = failed.Count == 1 ? "check" : "checks";
        return With(result, result.Outcome, $"failed {checks}: {named}{more}{(result.Reason is null ? "" : "; " + result.Reason)}");
    }

    private static TaskResult With(TaskResult result, Outcome outcome, string reason) => new()
    {
        TaskId = result.TaskId,
        Outcome = outcome,
        Reason = reason,
        Attempts = result.Attempts,
        StartedAt = result.StartedAt,
        Duration = result.Duration,
        SubResults = result.SubResults,
        LogPath = result.LogPath,
        ExitCode = result.ExitCode,
        Outputs = result.Outputs,
        Artifacts = result.Artifacts,
        Reused = result.Reused,
    };
}
