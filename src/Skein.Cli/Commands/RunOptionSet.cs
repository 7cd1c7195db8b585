using System.CommandLine;
using Skein.Cli.Output;

namespace Skein.Cli.Commands;

/// <summary>
/// The options <c>skein run</c> and <c>skein pipeline run</c> share — how many run at once, the state directory,
/// <c>--resume</c>, the reports, the output, and where the run lives — and the settings read from them, so that both
/// commands run through <see cref="RunCommand"/> with the same meaning for each.
/// </summary>
internal sealed class RunOptionSet
{
    /// <param name="units">What runs at once, for the help text: "ungrouped tasks", "elements".</param>
    /// <param name="resumeDescription">What <c>--resume</c> re-runs, in the command's own terms.</param>
    /// <param name="localDescription">What <c>--local</c> does, in the command's own terms.</param>
    /// <param name="nodesDescription">What <c>--nodes N</c> does, in the command's own terms.</param>
    public RunOptionSet(string units, string resumeDescription, string localDescription, string nodesDescription)
    {
        Workers = new Option<int>("--workers", "-w") { Description = $"How many {units} run at once (default: the number of cores).", HelpName = "N", DefaultValueFactory = _ => Environment.ProcessorCount };
        Resume = new Option<bool>("--resume") { Description = resumeDescription };
        Report = new Option<string>("--report") { Description = "Report at the end: summary, detail or both.", DefaultValueFactory = _ => "summary" };
        Report.AcceptOnlyFromAmong("summary", "detail", "both");
        Local = new Option<bool>("--local") { Description = localDescription };
        Nodes = new Option<int?>("--nodes") { Description = nodesDescription, HelpName = "N" };
    }

    public Option<int> Workers { get; }

    public Option<string> State { get; } = CommonOptions.State();

    public Option<bool> Resume { get; }

    public Option<string> Report { get; }

    public Option<string?> JUnit { get; } = new("--junit") { Description = "Also write a JUnit XML report to PATH.", HelpName = "PATH" };

    public Option<string?> Json { get; } = new("--json") { Description = "Also write a JSON report to PATH.", HelpName = "PATH" };

    public Option<bool> Plain { get; } = new("--plain") { Description = "One line per event even on a terminal (the default when output is not a terminal)." };

    public Option<string?> Cluster { get; } = ClusterConnection.ClusterOption();

    public Option<string?> TokenFile { get; } = ClusterConnection.TokenFileOption();

    public Option<bool> Local { get; }

    public Option<int?> Nodes { get; }

    public Option<string?> OutputMode { get; } = RunOutput.OutputOption();

    public Option<bool> Quiet { get; } = RunOutput.QuietOption();

    /// <summary>The settings a parse gives for <paramref name="target"/> (a job file, a pipeline's path).</summary>
    public RunCommand.RunSettings Read(ParseResult parse, string target, string[]? only, bool dryRun) =>
        new(target,
            parse.GetValue(Workers),
            parse.GetValue(State)!,
            parse.GetValue(Resume),
            only,
            parse.GetValue(Report)!,
            parse.GetValue(JUnit),
            parse.GetValue(Json),
            dryRun,
            parse.GetValue(Plain),
            Environment.CommandLine)
        {
            WorkersGiven = parse.GetResult(Workers) is { Implicit: false },
            Cluster = parse.GetValue(Cluster),
            TokenFile = parse.GetValue(TokenFile),
            Local = parse.GetValue(Local),
            Nodes = parse.GetValue(Nodes),
            Output = RunOutput.Read(parse.GetValue(OutputMode), parse.GetValue(Quiet)),
        };
}
