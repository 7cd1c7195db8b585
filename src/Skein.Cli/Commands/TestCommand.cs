using System.CommandLine;
using System.Globalization;
using System.Text;
using Skein.Cli.Output;
using Skein.Cli.Reporting;
using Skein.Cli.Suites;
using Skein.Cluster.Addressing;
using Skein.Cluster.Runs;
using Skein.Engine;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein test CONFIG</c>: reads the suites a configuration names, deploys the cluster it asks for (an embedded one
/// of N nodes, or an existing one), runs the selected experiments as one engine job on it, reads the results against
/// the configuration's expectations, reports, and tears the deployment down whatever happens.
/// </summary>
internal static class TestCommand
{
    /// <summary>Where <c>skein test</c> keeps what outlives a run, under the state directory: per configuration name.</summary>
    public const string TestDirectoryName = "test";

    public static Command Create()
    {
        var config = new Argument<string>("CONFIG") { Description = "The test configuration (YAML): suites, cluster, parameters, expectations." };
        var only = CommonOptions.Only("Run only these experiments (SUITE::NAME) or suites (SUITE), and what they need.");
        var list = new Option<bool>("--list") { Description = "List the selected experiments; run nothing." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check everything and print the plan; deploy and run nothing." };
        var report = new Option<string?>("--report") { Description = "Report at the end: summary, detail or both (default: the configuration's 'report', else summary)." };
        report.AcceptOnlyFromAmong("summary", "detail", "both");
        var junit = new Option<string?>("--junit") { Description = "Also write a JUnit XML report to PATH.", HelpName = "PATH" };
        var json = new Option<string?>("--json") { Description = "Also write a JSON report to PATH.", HelpName = "PATH" };
        var resume = new Option<bool>("--resume") { Description = "Re-run only the experiments that did not pass in the latest run of this configuration." };
        var state = CommonOptions.State();
        var plain = new Option<bool>("--plain") { Description = "One line per event even on a terminal (the default when output is not a terminal)." };
        var outputMode = RunOutput.OutputOption();
        var quiet = RunOutput.QuietOption();
        var command = new Command("test", "Run experiment suites against a deployment: an embedded cluster, or the one the configuration names.")
        {
            config, only, list, dryRun, report, junit, json, resume, state, plain, outputMode, quiet,
            TestHistoryCommand.Create(),
            TestPlanCommand.Create(),
        };
        command.SetAction((parse, _) =>
        {
            var settings = new TestSettings(
                parse.GetValue(config)!,
                parse.GetValue(only),
                parse.GetValue(list),
                parse.GetValue(dryRun),
                parse.GetValue(report),
                parse.GetValue(junit),
                parse.GetValue(json),
                parse.GetValue(resume),
                parse.GetValue(state)!,
                parse.GetValue(plain),
                RunOutput.Read(parse.GetValue(outputMode), parse.GetValue(quiet)));
            return ExecuteAsync(settings, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        });
        return command;
    }

    internal sealed record TestSettings(
        string Config, string[]? Only, bool List, bool DryRun, string? Report, string? JUnitPath, string? JsonPath, bool Resume, string State, bool Plain, OutputMode? Output);

    private static async Task<int> ExecuteAsync(TestSettings settings, TextWriter output, TextWriter error)
    {
        InputFiles.NotADirectory(settings.Config, "test configuration");
        var problems = new List<ValidationProblem>();
        var config = TestConfigReader.Read(settings.Config, problems);
        // Planned before anything is deployed: an unknown app, a bad app file or a cycle is bad input.
        var apps = config is null ? null : TestApps.Plan(config, problems);
        var selection = config is null || problems.Exists(p => p.Severity == ProblemSeverity.Error)
            ? null
            : TestSelection.Select(config, settings.Only, Environment.GetEnvironmentVariable(TestSelection.SuitePathVariable), problems);
        if (problems.Count > 0) ProblemPrinter.Print(problems, error);
        if (selection is null) return ExitCodes.InvalidInput;

        if (settings.List)
        {
            PrintList(selection, output);
            return ExitCodes.Success;
        }

        var directories = new TestDirectories(settings.State, selection.Config.Name);
        var embedded = selection.Config.Address is null;
        var environment = embedded
            ? new Dictionary<string, string> { [CommonOptions.StateVariable] = directories.Cluster }
            : new Dictionary<string, string>();
        Uri? address = null;
        string? token = null;
        if (!embedded && !settings.DryRun)
        {
            address = ClusterAddress.Parse(selection.Config.Address!.Value.Value);
            token = ClusterConnection.ResolveToken(selection.Config.TokenFile, settings.State);
            environment[ClusterConnection.ClusterVariable] = ClusterAddress.Format(address);
            environment[ClusterConnection.TokenVariable] = token;
        }
        var job = TestJobCompiler.Compile(selection, environment, directories.Scratch);
        var plan = JobValidator.Plan(job, null);
        if (plan.Problems.Count > 0)
        {
            ProblemPrinter.Print(plan.Problems, error);
            if (plan.Problems.Any(p => p.Severity == ProblemSeverity.Error)) return ExitCodes.InvalidInput;
        }
        if (settings.DryRun)
        {
            PlanPrinter.Print(job, plan, output);
            PrintExpectations(selection, output);
            output.WriteLine(embedded
                ? $"cluster: an embedded one of {selection.Config.Nodes} node{(selection.Config.Nodes == 1 ? "" : "s")}{(selection.Config.Labels.Count == 0 ? "" : ", labels " + string.Join(" ", selection.Config.Labels))}"
                : $"cluster: {selection.Config.Address!.Value.Value}");
            if (selection.Modules.Count > 0) output.WriteLine($"modules: {string.Join(", ", selection.Modules)}");
            if (apps!.Order.Count > 0) output.WriteLine($"apps, started in this order: {string.Join(", ", apps.Order.Select(a => a.Name))}");
            return ExitCodes.Success;
        }

        // Opened before anything is deployed: a database that cannot take the results stops the run before it starts.
        using var results = TestResultsDatabase.OpenOrCreate(TestResultsDatabase.PathIn(settings.State));
        foreach (var experiment in selection.ToRun) Directory.CreateDirectory(TestJobCompiler.ScratchDirectory(directories.Scratch, experiment));
        var logDirectory = directories.NewLogDirectory();
        ThrowawayCluster? cluster = null;
        if (embedded)
        {
            using var starting = new Shutdown();
            try
            {
                cluster = await ThrowawayCluster.StartAsync(new ThrowawayCluster.Settings(selection.Config.Nodes)
                {
                    StateDirectory = directories.Cluster,
                    Arguments = UpArguments(selection, apps!),
                    LogPath = Path.Combine(logDirectory, "cluster.log"),
                }, starting.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (starting.Token.IsCancellationRequested)
            {
                await error.WriteLineAsync("skein: interrupted while the cluster was starting; nothing ran").ConfigureAwait(false);
                return ExitCodes.Interrupted;
            }
            catch (ClusterStartException ex)
            {
                await error.WriteLineAsync($"skein: {ex.Message}").ConfigureAwait(false);
                await error.WriteLineAsync($"skein: the cluster's log is {Path.Combine(logDirectory, "cluster.log")}").ConfigureAwait(false);
                return ExitCodes.TasksFailed;
            }
            address = ClusterAddress.Parse(cluster.Address);
            token = ClusterToken.Read(cluster.TokenPath);
        }
        try
        {
            if (await StartAppsAsync(apps!, address!, token!, output, error).ConfigureAwait(false) is { } notStarted)
            {
                await error.WriteLineAsync($"skein: logs: {logDirectory}").ConfigureAwait(false);
                return notStarted;
            }
            return await RunAsync(settings, selection, job, address!, token!, logDirectory, results, output, error).ConfigureAwait(false);
        }
        finally
        {
            if (cluster is not null) await cluster.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<int> RunAsync(TestSettings settings, TestSelection selection, Job job, Uri address, string token, string logDirectory,
        TestResultsDatabase results, TextWriter output, TextWriter error)
    {
        using var client = new RunsClient(address, token);
        var submission = new RunSubmission
        {
            Resume = settings.Resume,
            Workers = selection.Config.Parallelism,
            JobDirectory = selection.Config.Directory,
            CommandLine = Environment.CommandLine,
        };
        long runId;
        try
        {
            runId = await client.SubmitAsync(job, submission).ConfigureAwait(false);
        }
        catch (SkeinException ex) when (ex is not ClusterUnreachableException)
        {
            throw new SkeinException($"the cluster at {ClusterAddress.Format(address)} refused the experiments: {ex.Message}", ex);
        }
        var reportMode = settings.Report ?? selection.Config.Report ?? "summary";
        var followed = await RemoteRun.FollowToEndAsync(client, runId,
            new RemoteRun.ReportSettings(reportMode, settings.JUnitPath, settings.JsonPath, settings.Plain) { Output = settings.Output }, output, error).ConfigureAwait(false);

        var applied = TestVerdicts.Apply(selection, followed.Report.Results);
        var asExpected = TestVerdicts.AllAsExpected(selection, applied) && followed.Problem is null;
        var summary = followed.Report.Summary;
        var status = followed.Interrupted ? RunStatus.Cancelled : asExpected ? RunStatus.Passed : RunStatus.Failed;
        var counts = applied.GroupBy(r => r.Outcome).ToDictionary(g => g.Key, g => g.Count());
        var totals = new RunTotals(summary.RunId, status, summary.StartedAt, summary.Duration, o => counts.GetValueOrDefault(o));
        var report = new RunReport(selection.Config.Name, selection.Config.File, job.Tasks.Select(t => t.Id).ToList(), totals, applied, followed.Report.AttemptsByTask)
        {
            CaseNames = ExperimentIds.Split,
        };

        CopyLogs(applied, logDirectory);
        SummaryPrinter.Print(report, reportMode, output);
        await output.WriteLineAsync($"logs: {logDirectory}").ConfigureAwait(false);
        if (settings.JUnitPath is { } junitPath) await RunCommand.WriteReportAsync("JUnit", junitPath, stream => JUnitReport.Write(report, stream), error).ConfigureAwait(false);
        if (settings.JsonPath is { } jsonPath) await RunCommand.WriteReportAsync("JSON", jsonPath, stream => JsonReport.Write(report, stream), error).ConfigureAwait(false);
        if (followed.Problem is { } problem) await error.WriteLineAsync($"skein: run {runId} could not go on: {problem}").ConfigureAwait(false);
        var recorded = await RecordAsync(results, selection, summary.StartedAt, status, applied, error).ConfigureAwait(false);

        if (followed.Interrupted) return ExitCodes.Interrupted;
        return asExpected && recorded ? ExitCodes.Success : ExitCodes.TasksFailed;
    }

    /// <summary>Adds the run to the results database (<c>skein test history</c>, <c>plan</c>); false, said on stderr, when it could not.</summary>
    private static async Task<bool> RecordAsync(TestResultsDatabase results, TestSelection selection, DateTimeOffset startedAt, RunStatus status,
        IReadOnlyList<TaskResult> applied, TextWriter error)
    {
        var commit = await GitCommit.FindAsync(selection.Config.Directory, CancellationToken.None).ConfigureAwait(false);
        var tags = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var experiment in selection.ToRun.Concat(selection.Skipped.Select(s => s.Experiment))) tags.TryAdd(experiment.Id, experiment.Tags);
        var experiments = applied
            .Select(r => new ExperimentRecord(r.TaskId, TestOutcomes.Of(r), r.Duration, r.Reason, r.SubResults, tags.GetValueOrDefault(r.TaskId) ?? []))
            .ToList();
        try
        {
            results.Record(new TestRunRecord(selection.Config.Name, selection.Config.File, startedAt, TimeProvider.System.GetUtcNow(), commit,
                status.ToString().ToLowerInvariant(), experiments));
            return true;
        }
        catch (SkeinException ex)
        {
            // The reports above were written all the same; only the history misses this run.
            await error.WriteLineAsync($"skein: this run's results were not added to the history: {ex.Message}").ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>How long one module of an app may take to load (a module process gets this long for its hello).</summary>
    private static readonly TimeSpan AppLoadTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Starts the configuration's apps on the cluster and waits until their modules are active; null when they did,
    /// else the exit code, said on stderr naming the app (the caller then tears the deployment down and runs nothing).
    /// </summary>
    private static async Task<int?> StartAppsAsync(TestApps apps, Uri address, string token, TextWriter output, TextWriter error)
    {
        if (apps.Order.Count == 0) return null;
        using var shutdown = new Shutdown();
        try
        {
            await apps.StartAsync(address, token, AppLoadTimeout, output, shutdown.Token).ConfigureAwait(false);
            return null;
        }
        catch (Skein.Cluster.Apps.AppFailedException ex)
        {
            await error.WriteLineAsync($"skein: {ex.Message}; no experiment ran").ConfigureAwait(false);
            return ExitCodes.TasksFailed;
        }
        catch (OperationCanceledException) when (shutdown.Token.IsCancellationRequested)
        {
            await error.WriteLineAsync("skein: interrupted while the apps were starting; no experiment ran").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
    }

    /// <summary><c>skein up</c>'s options for the configuration's labels, modules, and the folders its apps' modules are in.</summary>
    private static List<string> UpArguments(TestSelection selection, TestApps apps)
    {
        var arguments = new List<string>();
        foreach (var labels in selection.Config.Labels) arguments.AddRange(["--labels", labels]);
        foreach (var module in selection.Modules) arguments.AddRange(["--module", module]);
        foreach (var directory in apps.ModuleDirectories) arguments.AddRange(["--module-dir", directory]);
        return arguments;
    }

    /// <summary>Each experiment's last log, as <c>experiments/SUITE/NAME.log</c> in the run's log directory, beside the cluster's.</summary>
    private static void CopyLogs(IReadOnlyList<TaskResult> results, string logDirectory)
    {
        foreach (var result in results)
        {
            if (result.LogPath is not { } log || !File.Exists(log)) continue;
            var (suite, name) = ExperimentIds.Split(result.TaskId);
            var target = Path.Combine(logDirectory, "experiments", suite.Replace('/', Path.DirectorySeparatorChar), name + ".log");
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(log, target, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The report still names the log where the cluster keeps it.
            }
        }
    }

    private static void PrintList(TestSelection selection, TextWriter output)
    {
        foreach (var experiment in selection.ToRun)
        {
            var line = new StringBuilder(experiment.Id);
            if (experiment.Description is { } description) line.Append(" — ").Append(description);
            if (experiment.Tags.Count > 0) line.Append(" [").Append(string.Join(", ", experiment.Tags)).Append(']');
            if (selection.ExpectedFailures.TryGetValue(experiment.Id, out var expected))
                line.Append(" (expected to fail").Append(expected.Reason is null ? "" : ": " + expected.Reason).Append(')');
            output.WriteLine(line.ToString());
        }
        foreach (var (experiment, reason) in selection.Skipped) output.WriteLine($"{experiment.Id} ({reason})");
    }

    private static void PrintExpectations(TestSelection selection, TextWriter output)
    {
        foreach (var (id, expectation) in selection.ExpectedFailures.OrderBy(p => p.Key, StringComparer.Ordinal))
            output.WriteLine($"  expected to fail: {id}{(expectation.Reason is null ? "" : ": " + expectation.Reason)}");
        foreach (var (experiment, reason) in selection.Skipped) output.WriteLine($"  {experiment.Id}: {reason}");
    }

    /// <summary>What <c>skein test</c> keeps under the state directory for one configuration.</summary>
    private sealed class TestDirectories(string state, string name)
    {
        private readonly string _root = Path.GetFullPath(Path.Combine(state, TestDirectoryName, SafeName(name)));

        /// <summary>The embedded cluster's state: its journal (for --resume), token and the experiments' logs.</summary>
        public string Cluster => Path.Combine(_root, "cluster");

        public string Scratch => Path.Combine(_root, "scratch");

        /// <summary>A new directory for this run's logs, named by when it started.</summary>
        public string NewLogDirectory()
        {
            var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            var directory = Path.Combine(_root, "logs", stamp);
            for (var n = 2; Directory.Exists(directory); n++) directory = Path.Combine(_root, "logs", $"{stamp}-{n}");
            Directory.CreateDirectory(directory);
            return directory;
        }

        private static string SafeName(string name)
        {
            var safe = new StringBuilder(name.Length);
            foreach (var c in name) safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
            return safe.Length == 0 || safe[0] == '.' ? "_" + safe : safe.ToString();
        }
    }
}
