namespace Skein.Cli.Reporting;

/// <summary>One colour per outcome, used by every console view.</summary>
internal static class OutcomeStyle
{
    public static string Color(Outcome outcome) => outcome switch
    {
        Outcome.Passed => "green",
        Outcome.Warned => "yellow",
        Outcome.Skipped => "grey",
        Outcome.Cancelled => "grey",
        _ => "red",
    };
}
