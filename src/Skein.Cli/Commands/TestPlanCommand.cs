using System.CommandLine;
using Skein.Cli.Reporting;
using Skein.Cli.Suites;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein test plan</c>: the test plan from the experiments' tags — requirement → experiments → last outcome — as
/// Markdown (on stdout, or to a file) and CSV. With a configuration, its experiments (run yet or not) and the
/// outcomes of its runs; without, every experiment the results database knows, with the tags it had when it last ran.
/// </summary>
internal static class TestPlanCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "The test configuration whose experiments the plan covers (default: every experiment with recorded results).", HelpName = "CONFIG" };
        var markdown = new Option<string?>("--markdown") { Description = "Write the plan as Markdown to PATH (default: on stdout, unless --csv is given).", HelpName = "PATH" };
        var csv = new Option<string?>("--csv") { Description = "Write the plan as CSV to PATH.", HelpName = "PATH" };
        var state = CommonOptions.State();
        var command = new Command("plan", "Write the test plan from the experiments' tags: requirement → experiments → last outcome.") { config, markdown, csv, state };
        SubcommandHelp.Apply(command); // its usage is "skein test plan", without the parent's CONFIG
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var path = TestResultsDatabase.PathIn(parse.GetValue(state)!);
            string title;
            List<PlannedExperiment> experiments;
            Dictionary<string, RecordedResult> latest;
            if (parse.GetValue(config) is { } configPath)
            {
                if (Selection(configPath, error) is not { } selection) return ExitCodes.InvalidInput;
                title = selection.Config.Name;
                experiments = selection.ToRun.Concat(selection.Skipped.Select(s => s.Experiment))
                    .Select(e => new PlannedExperiment(e.Id, e.Description, e.Tags)).ToList();
                latest = Latest(path, selection.Config.Name);
            }
            else
            {
                title = "every recorded experiment";
                latest = Latest(path, configName: null);
                experiments = latest.Values.Select(r => new PlannedExperiment(r.Experiment, null, r.Tags)).ToList();
            }
            var rows = TestPlan.Build(experiments, latest);
            if (parse.GetValue(markdown) is { } markdownPath) Write(markdownPath, writer => TestPlan.WriteMarkdown(title, rows, writer));
            if (parse.GetValue(csv) is { } csvPath) Write(csvPath, writer => TestPlan.WriteCsv(rows, writer));
            if (parse.GetValue(markdown) is null && parse.GetValue(csv) is null) TestPlan.WriteMarkdown(title, rows, output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static TestSelection? Selection(string configPath, TextWriter error)
    {
        InputFiles.NotADirectory(configPath, "test configuration");
        var problems = new List<ValidationProblem>();
        var config = TestConfigReader.Read(configPath, problems);
        var selection = config is null || problems.Exists(p => p.Severity == ProblemSeverity.Error)
            ? null
            : TestSelection.Select(config, null, Environment.GetEnvironmentVariable(TestSelection.SuitePathVariable), problems);
        if (problems.Count > 0) ProblemPrinter.Print(problems, error, "nothing written");
        return selection;
    }

    /// <summary>Each experiment's latest recorded result.</summary>
    private static Dictionary<string, RecordedResult> Latest(string path, string? configName)
    {
        using var database = TestResultsDatabase.OpenForReading(path);
        return (database?.Latest(1, configName) ?? []).ToDictionary(r => r.Experiment, StringComparer.Ordinal);
    }

    private static void Write(string path, Action<TextWriter> write)
    {
        try
        {
            ReportFiles.Write(path, stream =>
            {
                using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
                write(writer);
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SkeinException($"the test plan cannot be written to {path}: {e.Message}", e);
        }
    }
}
