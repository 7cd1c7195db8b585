using Skein.Engine;
using Spectre.Console;

namespace Skein.Cli.Reporting;

/// <summary>The end-of-run report: a summary table of counts, and on request a detail table of every task.</summary>
internal static class SummaryPrinter
{
    public static void Print(RunReport report, string mode, TextWriter output)
    {
        var console = Consoles.For(output);
        if (mode is "detail" or "both") PrintDetail(report, console);
        if (mode is "summary" or "both") PrintSummary(report, console);
        else PrintVerdict(report, console);
    }

    private static void PrintSummary(RunReport report, IAnsiConsole console)
    {
        var summary = report.Summary;
        var table = new Table().Border(TableBorder.Rounded).Title($"{Markup.Escape(report.JobName)} — run {summary.RunId}");
        table.AddColumn("outcome");
        table.AddColumn(new TableColumn("tasks").RightAligned());
        foreach (var outcome in Enum.GetValues<Outcome>())
        {
            var count = summary.Count(outcome);
            if (count > 0) table.AddRow($"[{OutcomeStyle.Color(outcome)}]{outcome.ToWireName()}[/]", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        table.AddRow("[bold]total[/]", $"[bold]{summary.Total}[/]");
        console.Write(table);

        // Anything that did not pass is listed even in the summary: that is what the reader needs next.
        var shown = 0;
        foreach (var result in report.Results)
        {
            if (result.Outcome.IsSuccess()) continue;
            if (shown++ == 20)
            {
                console.MarkupLine("  [grey]… see --report detail for the rest[/]");
                break;
            }
            console.MarkupLineInterpolated($"  [{OutcomeStyle.Color(result.Outcome)}]{result.Outcome.ToWireName()}[/] {result.TaskId}: {result.Reason ?? ""}");
        }
        PrintVerdict(report, console);
    }

    private static void PrintDetail(RunReport report, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"{Markup.Escape(report.JobName)} — run {report.Summary.RunId}, every task");
        table.AddColumn("task");
        table.AddColumn("outcome");
        table.AddColumn(new TableColumn("duration").RightAligned());
        table.AddColumn(new TableColumn("attempts").RightAligned());
        table.AddColumn("reason");
        foreach (var result in report.Results)
        {
            table.AddRow(
                Markup.Escape(result.TaskId),
                $"[{OutcomeStyle.Color(result.Outcome)}]{result.Outcome.ToWireName()}[/]",
                result.Attempts > 0 ? Durations.Format(result.Duration) : "-",
                result.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(result.Reason ?? ""));
            foreach (var sub in result.SubResults)
            {
                table.AddRow(
                    "  " + Markup.Escape(sub.Name),
                    $"[{OutcomeStyle.Color(sub.Outcome)}]{sub.Outcome.ToWireName()}[/]",
                    "", "",
                    Markup.Escape(sub.Message ?? ""));
            }
        }
        console.Write(table);
    }

    private static void PrintVerdict(RunReport report, IAnsiConsole console)
    {
        var summary = report.Summary;
        var verdict = summary.Status switch
        {
            RunStatus.Passed => "[green]passed[/]",
            RunStatus.Cancelled => "[grey]cancelled[/]",
            _ => "[red]failed[/]",
        };
        var succeeded = summary.Count(Outcome.Passed) + summary.Count(Outcome.Warned);
        console.MarkupLine($"run {summary.RunId} {verdict} in {Durations.Format(summary.Duration)}: {succeeded} of {summary.Total} task{(summary.Total == 1 ? "" : "s")} passed or warned");
    }
}
