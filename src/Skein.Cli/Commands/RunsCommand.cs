using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Skein.Cli.Reporting;
using Skein.Cluster.Runs;
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
        var (cluster, tokenFile, local) = JournalSource.Options();
        var command = new Command("runs", "List runs, newest first: the cluster's when one is named, else those in the state directory's journal.")
        {
            state, limit, job, cluster, tokenFile, local,
        };
        var format = ListFormat.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var json = format.IsJson(parse);
            var count = Math.Max(1, parse.GetValue(limit));
            IReadOnlyList<JournalRunSummary> runs;
            if (JournalSource.Cluster(parse, cluster, tokenFile, local, state) is { } client)
            {
                using (client) runs = await client.ListAsync(count, parse.GetValue(job), ct).ConfigureAwait(false);
            }
            else
            {
                using var journal = JournalReader.Open(parse.GetValue(state)!);
                runs = await journal.ListRunsAsync(count, parse.GetValue(job), ct).ConfigureAwait(false);
            }
            if (json)
            {
                ListFormat.Write(parse.InvocationConfiguration.Output, writer => WriteJson(writer, runs));
                return ExitCodes.Success;
            }
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

    /// <summary><c>{"runs": [{"id", "job", "state", "startedAt", "endedAt", "durationMs", "taskCount", "counts": {OUTCOME: N…}}]}</c>, newest first.</summary>
    private static void WriteJson(Utf8JsonWriter json, IReadOnlyList<JournalRunSummary> runs)
    {
        json.WriteStartObject();
        json.WriteStartArray("runs");
        foreach (var run in runs)
        {
            json.WriteStartObject();
            WriteSummary(json, run);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The fields of a run's summary, shared by <c>skein runs</c> and <c>skein show</c>.</summary>
    internal static void WriteSummary(Utf8JsonWriter json, JournalRunSummary run)
    {
        json.WriteNumber("id", run.Id);
        ListFormat.String(json, "job", run.JobName);
        json.WriteString("state", StateName(run.State));
        json.WriteString("startedAt", run.StartedAt);
        if (run.EndedAt is { } ended) json.WriteString("endedAt", ended);
        else json.WriteNull("endedAt");
        ListFormat.Milliseconds(json, "durationMs", run.Duration);
        json.WriteNumber("taskCount", run.TaskCount);
        json.WriteStartObject("counts");
        foreach (var outcome in Enum.GetValues<Outcome>()) json.WriteNumber(outcome.ToWireName(), run.Counts[outcome]);
        json.WriteEndObject();
    }

    internal static string StateName(RunState state) => state switch
    {
        RunState.Passed => "passed",
        RunState.Failed => "failed",
        RunState.Running => "running",
        RunState.Interrupted => "interrupted",
        _ => "cancelled",
    };

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
