using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Skein.Cli.Suites;
using Skein.Engine;
using Skein.Yaml;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein test history [NAME]</c>: each experiment over its latest recorded runs — pass rate, median and last
/// duration, last outcome — and which ones are flaky (both went well and did not within the window).
/// </summary>
internal static class TestHistoryCommand
{
    public const int DefaultWindow = 10;
    public const int MaxWindow = 1000;

    public static Command Create()
    {
        var name = new Argument<string?>("NAME") { Description = "An experiment (SUITE::NAME) or a suite (and the suites in it); default: every experiment.", Arity = ArgumentArity.ZeroOrOne };
        var last = new Option<int>("--last") { Description = $"How many of each experiment's latest runs to look at (default {DefaultWindow}, at most {MaxWindow}).", HelpName = "N", DefaultValueFactory = _ => DefaultWindow };
        var config = new Option<string?>("--config") { Description = "Only runs of this test configuration (its name is read from the file).", HelpName = "CONFIG" };
        var state = CommonOptions.State();
        var command = new Command("history", "Pass rates and durations of experiments over their latest runs, flaky ones flagged.") { name, last, config, state };
        var format = ListFormat.AddTo(command);
        SubcommandHelp.Apply(command); // its usage is "skein test history [NAME]", without the parent's CONFIG
        command.SetAction(parse =>
        {
            var window = parse.GetValue(last);
            if (window is < 1 or > MaxWindow) throw new SkeinException($"--last must be between 1 and {MaxWindow}, not {window}");
            var configName = parse.GetValue(config) is { } configPath ? ConfigName(configPath, parse.InvocationConfiguration.Error) : null;
            if (configName is { Length: 0 }) return ExitCodes.InvalidInput;
            return Execute(parse.GetValue(state)!, parse.GetValue(name), window, configName, format.IsJson(parse), parse.InvocationConfiguration.Output);
        });
        return command;
    }

    private static int Execute(string stateDirectory, string? name, int window, string? configName, bool json, TextWriter output)
    {
        var path = TestResultsDatabase.PathIn(stateDirectory);
        List<RecordedResult> recorded;
        using (var database = TestResultsDatabase.OpenForReading(path))
        {
            recorded = database?.Latest(window, configName) ?? [];
        }
        if (name is not null)
        {
            var known = TestHistory.Names(recorded.Select(r => r.Experiment));
            if (!recorded.Any(r => TestHistory.Matches(r.Experiment, name)))
                throw new SkeinException($"no experiment or suite '{name}' in the results of {path}{Suggestion(name, known)}");
            recorded = recorded.Where(r => TestHistory.Matches(r.Experiment, name)).ToList();
        }
        var histories = TestHistory.Summarize(recorded);
        if (json)
        {
            ListFormat.Write(output, writer => WriteJson(writer, window, configName, histories));
            return ExitCodes.Success;
        }
        if (histories.Count == 0)
        {
            output.WriteLine($"no test runs recorded in {path} yet");
            return ExitCodes.Success;
        }
        var rows = new List<string[]> { new[] { "experiment", "runs", "pass rate", "median", "last", "last outcome", "flaky" } };
        foreach (var history in histories)
        {
            rows.Add([
                history.Experiment,
                history.Runs.ToString(CultureInfo.InvariantCulture),
                PassRateText(history),
                Durations.Format(history.MedianDuration),
                Durations.Format(history.LastDuration),
                history.LastOutcome,
                history.Flaky ? "FLAKY" : "",
            ]);
        }
        TextTable.Write(rows, output);
        var flaky = histories.Count(h => h.Flaky);
        if (flaky > 0) output.WriteLine($"{flaky} flaky experiment{(flaky == 1 ? "" : "s")} in the last {window} run{(window == 1 ? "" : "s")}");
        return ExitCodes.Success;
    }

    /// <summary>"50% (1/2)": good runs over those that passed or failed; "-" when none did.</summary>
    public static string PassRateText(ExperimentHistory history) => history.PassRate is { } rate
        ? $"{Math.Round(rate * 100).ToString(CultureInfo.InvariantCulture)}% ({history.Good}/{history.Good + history.Bad})"
        : "-";

    private static string Suggestion(string name, List<string> known)
    {
        if (known.Count == 0) return " (no runs recorded there yet)";
        var close = new List<string>();
        if (KeySuggestion.Closest(name, known) is { } closest) close.Add(closest);
        close.AddRange(known.Where(k => k.Contains(name, StringComparison.OrdinalIgnoreCase) && !close.Contains(k)).Take(4));
        return close.Count > 0 ? $"; did you mean {string.Join(", ", close.Select(c => $"'{c}'"))}?" : "";
    }

    /// <summary>The configuration's name, as <c>skein test</c> records it; empty (after printing the problems) when the file is wrong.</summary>
    internal static string ConfigName(string configPath, TextWriter error)
    {
        InputFiles.NotADirectory(configPath, "test configuration");
        var problems = new List<ValidationProblem>();
        var config = TestConfigReader.Read(configPath, problems);
        if (problems.Count > 0) ProblemPrinter.Print(problems, error);
        return config is null || problems.Exists(p => p.Severity == ProblemSeverity.Error) ? "" : config.Name;
    }

    private static void WriteJson(Utf8JsonWriter json, int window, string? configName, List<ExperimentHistory> histories)
    {
        json.WriteStartObject();
        json.WriteNumber("window", window);
        ListFormat.String(json, "config", configName);
        json.WriteStartArray("experiments");
        foreach (var history in histories)
        {
            json.WriteStartObject();
            ListFormat.String(json, "id", history.Experiment);
            json.WriteNumber("runs", history.Runs);
            json.WriteNumber("passed", history.Good);
            json.WriteNumber("failed", history.Bad);
            if (history.PassRate is { } rate) json.WriteNumber("passRate", Math.Round(rate, 4));
            else json.WriteNull("passRate");
            ListFormat.Milliseconds(json, "medianMs", history.MedianDuration);
            ListFormat.Milliseconds(json, "lastMs", history.LastDuration);
            json.WriteString("lastOutcome", history.LastOutcome);
            json.WriteNumber("lastRun", history.LastRunId);
            json.WriteBoolean("flaky", history.Flaky);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
