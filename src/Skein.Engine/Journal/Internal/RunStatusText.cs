namespace Skein.Engine.Journal.Internal;

/// <summary>How run statuses are spelled in the journal.</summary>
internal static class RunStatusText
{
    public static string ToText(RunStatus status) => status switch
    {
        RunStatus.Running => "running",
        RunStatus.Passed => "passed",
        RunStatus.Failed => "failed",
        RunStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static RunStatus Parse(string text) => text switch
    {
        "running" => RunStatus.Running,
        "passed" => RunStatus.Passed,
        "failed" => RunStatus.Failed,
        "cancelled" => RunStatus.Cancelled,
        _ => throw new FormatException($"'{text}' is not a run status."),
    };
}
