using System.CommandLine;
using System.Globalization;
using Skein.Cli.Reporting;
using Skein.Engine;
using Skein.Engine.Journal;
using Spectre.Console;

namespace Skein.Cli.Commands;

/// <summary><c>skein runs</c>: the journal's runs, newest first.</summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var state = CommonOptions.State();
        var limit = new Option<int>("--limit", "-n") { Description = "How many runs to list.", DefaultValueFactory = _ => 20 };
        var job = new Option<string?>("--job") { Description = "Only runs of this job." };
        var command = new Command("runs", "List the runs recorded in the journal, newest first.") { state, limit, job };
        command.SetAction(async (parse, ct) =>
        {
            using var journal = JournalReader.Open(parse.GetValue(state)!);
            var runs = await journal.ListRunsAsync(Math.Max(1, parse.GetValue(limit)), parse.GetValue(job), ct).ConfigureAwait(false);
            var console = Consoles.For(parse.InvocationConfiguration.Output);
            if (runs.Count == 0)
            {
                console.WriteLine("no runs yet");
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var column in new[] { "run", "job", "state", "started", "duration", "tasks", "outcomes" }) table.AddColumn(column);
            foreach (var run in runs)
            {
                table.AddRow(
                    run.Id.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(run.JobName),
                    StateText(run.State),
                    run.StartedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    run.Duration is { } d ? Durations.Format(d) : "-",
                    run.TaskCount.ToString(CultureInfo.InvariantCulture),
                    CountsText(run.Counts));
            }
            console.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    internal static string StateText(RunState state) => state switch
    {
        RunState.Passed => "[green]passed[/]",
        RunState.Failed => "[red]failed[/]",
        RunState.Running => "[blue]running[/]",
        RunState.Interrupted => "[yellow]interrupted[/]",
        _ => "[grey]cancelled[/]",
    };

    internal static string CountsText(OutcomeCounts counts)
    {
        var parts = new List<string>();
        foreach (var outcome in Enum.GetValues<Outcome>())
        {
            if (counts[outcome] > 0) parts.Add($"[{OutcomeStyle.Color(outcome)}]{counts[outcome]} {outcome.ToWireName()}[/]");
        }
        return parts.Count == 0 ? "-" : string.Join(", ", parts);
    }
}
