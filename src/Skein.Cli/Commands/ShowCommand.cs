using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Skein.Cli.Reporting;
using Skein.Engine;
using Skein.Engine.Journal;
using Spectre.Console;

namespace Skein.Cli.Commands;

/// <summary><c>skein show RUN</c>: one run's tasks with outcomes, reasons, attempts and sub-results.</summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("RUN") { Description = RunReference.Help, DefaultValueFactory = _ => "latest" };
        var state = CommonOptions.State();
        var (cluster, tokenFile, local) = JournalSource.Options();
        var command = new Command("show", "Show one run, every task, its outcome and why: from the cluster when one is named, else from the state directory's journal.")
        {
            run, state, cluster, tokenFile, local,
        };
        var format = ListFormat.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var json = format.IsJson(parse);
            RunDetails details;
            if (JournalSource.Cluster(parse, cluster, tokenFile, local, state) is { } client)
            {
                using (client)
                {
                    var remoteId = await RunReference.ResolveAsync(client, parse.GetValue(run)!, ct).ConfigureAwait(false);
                    details = await client.ShowAsync(remoteId, ct).ConfigureAwait(false);
                }
            }
            else
            {
                using var journal = JournalReader.Open(parse.GetValue(state)!);
                var runId = await RunReference.ResolveAsync(journal, parse.GetValue(run)!, ct).ConfigureAwait(false);
                details = await journal.GetRunAsync(runId, ct).ConfigureAwait(false);
            }
            if (json)
            {
                ListFormat.Write(parse.InvocationConfiguration.Output, writer => WriteJson(writer, details));
                return ExitCodes.Success;
            }
            var console = Consoles.For(parse.InvocationConfiguration.Output);
            var summary = details.Summary;
            console.MarkupLine($"run [bold]{summary.Id}[/] of [bold]{Markup.Escape(summary.JobName)}[/]: {RunsCommand.StateText(summary.State)}" +
                               (summary.Duration is { } d ? $" in {Durations.Format(d)}" : "") +
                               (details.ResumedFrom is { } from ? $" (resumed from run {from})" : ""));
            if (details.JobFile is not null) console.MarkupLine($"file: {Markup.Escape(details.JobFile)}");
            console.MarkupLine($"started {summary.StartedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss} on {Markup.Escape(details.Host)} (pid {details.ProcessId}); {RunsCommand.CountsText(summary.Counts)}");

            var table = new Table().Border(TableBorder.Rounded);
            foreach (var column in new[] { "task", "outcome", "duration", "attempts", "reason" }) table.AddColumn(column);
            foreach (var task in details.Tasks)
            {
                var outcome = task.Outcome is { } o
                    ? $"[{OutcomeStyle.Color(o)}]{o.ToWireName()}[/]"
                    : task.Waiting is not null ? "[yellow]waiting[/]"
                    : task.Progress == TaskProgress.Running ? "[blue]running[/]" : "[grey]pending[/]";
                var reason = task.Reused && task.ReusedFrom is { } reusedFrom ? $"reused from run {reusedFrom}" : task.Waiting ?? task.Reason ?? "";
                table.AddRow(
                    Markup.Escape(task.TaskId),
                    outcome,
                    task.Duration is { } duration && task.Attempts > 0 ? Durations.Format(duration) : "-",
                    task.Attempts.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(reason));
                foreach (var sub in task.SubResults)
                {
                    table.AddRow("  " + Markup.Escape(sub.Name), $"[{OutcomeStyle.Color(sub.Outcome)}]{sub.Outcome.ToWireName()}[/]", "", "", Markup.Escape(sub.Message ?? ""));
                }
            }
            console.Write(table);
            WriteOutputs(console, details.Tasks);
            WriteArtifacts(console, details.Tasks);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// <c>{"run": {…as in skein runs, "file", "resumedFrom", "host", "pid", "tasks": [{"id", "outcome", "progress",
    /// "reason", "attempts", "durationMs", "startedAt", "exitCode", "log", "reused", "reusedFrom", "subResults": [{"name",
    /// "outcome", "message"}], "outputs": {NAME: VALUE}}]}}</c>; values are whole (not cut as the table shows them).
    /// </summary>
    private static void WriteJson(Utf8JsonWriter json, RunDetails details)
    {
        json.WriteStartObject();
        json.WriteStartObject("run");
        RunsCommand.WriteSummary(json, details.Summary);
        ListFormat.String(json, "file", details.JobFile);
        if (details.ResumedFrom is { } from) json.WriteNumber("resumedFrom", from);
        else json.WriteNull("resumedFrom");
        ListFormat.String(json, "host", details.Host);
        json.WriteNumber("pid", details.ProcessId);
        json.WriteStartArray("tasks");
        foreach (var task in details.Tasks)
        {
            json.WriteStartObject();
            ListFormat.String(json, "id", task.TaskId);
            ListFormat.String(json, "outcome", task.Outcome?.ToWireName());
            json.WriteString("progress", task.Progress.ToString().ToLowerInvariant());
            ListFormat.String(json, "reason", task.Reason);
            json.WriteNumber("attempts", task.Attempts);
            ListFormat.Milliseconds(json, "durationMs", task.Attempts > 0 ? task.Duration : null);
            if (task.StartedAt is { } started) json.WriteString("startedAt", started);
            else json.WriteNull("startedAt");
            if (task.ExitCode is { } exit) json.WriteNumber("exitCode", exit);
            else json.WriteNull("exitCode");
            ListFormat.String(json, "log", task.LogPath);
            json.WriteBoolean("reused", task.Reused);
            if (task.ReusedFrom is { } reusedFrom) json.WriteNumber("reusedFrom", reusedFrom);
            else json.WriteNull("reusedFrom");
            json.WriteStartArray("subResults");
            foreach (var sub in task.SubResults)
            {
                json.WriteStartObject();
                ListFormat.String(json, "name", sub.Name);
                json.WriteString("outcome", sub.Outcome.ToWireName());
                ListFormat.String(json, "message", sub.Message);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            ListFormat.Map(json, "outputs", task.Outputs);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Longest part of an output value shown; the journal and the JSON report hold all of it.</summary>
    private const int ShownValueLength = 200;

    /// <summary>The outputs tasks set, one per line as TASK.NAME = VALUE, control characters shown escaped.</summary>
    private static void WriteOutputs(IAnsiConsole console, IReadOnlyList<TaskDetails> tasks)
    {
        var any = false;
        foreach (var task in tasks)
        {
            foreach (var (name, value) in task.Outputs.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!any) console.MarkupLine("outputs:");
                any = true;
                var shown = value.Length > ShownValueLength ? value[..ShownValueLength] + "…" : value;
                console.MarkupLine($"  {Markup.Escape(task.TaskId)}.{Markup.Escape(name)} = {Markup.Escape(Visible(shown))}");
            }
        }
    }

    /// <summary>The artifacts tasks handed on, one per line as TASK: PATH (SIZE), control characters shown escaped.</summary>
    private static void WriteArtifacts(IAnsiConsole console, IReadOnlyList<TaskDetails> tasks)
    {
        var any = false;
        foreach (var task in tasks)
        {
            foreach (var file in task.Artifacts)
            {
                if (!any) console.MarkupLine("artifacts:");
                any = true;
                console.MarkupLine($"  {Markup.Escape(task.TaskId)}: {Markup.Escape(Visible(file.Path))} ({Size(file.Size)})");
            }
        }
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.#} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.#} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    private static string Visible(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var shown = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text) shown.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString());
        return shown.ToString();
    }
}
