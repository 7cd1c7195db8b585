namespace Skein.Engine;

/// <summary>What one attempt of an action produced.</summary>
public readonly record struct ActionResult(Outcome Outcome, string? Message = null, object? Value = null, int? ExitCode = null)
{
    public static ActionResult Passed(object? value = null) => new(Outcome.Passed, null, value);
    public static ActionResult Failed(string message, int? exitCode = null) => new(Outcome.Failed, message, null, exitCode);
    public static ActionResult Errored(string message) => new(Outcome.Errored, message);
}
