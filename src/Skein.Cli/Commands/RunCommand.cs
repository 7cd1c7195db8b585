using System.CommandLine;
using System.Runtime.InteropServices;
using Skein.Cli.Output;
using Skein.Cli.Reporting;
using Skein.Cluster;
using Skein.Cluster.Runs;
using Skein.Engine;
using Skein.Engine.JobFiles;
using Skein.Engine.Journal;
using Skein.Cluster.Addressing;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein run FILE</c>: validate a job file, run it with live progress, report, and exit with its verdict — in this
/// process, on the cluster that is named (the coordinator hosts the run), or on a throwaway local cluster
/// (<c>--nodes N</c>). The same file gives the same outcomes, reports and exit code all three ways.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The job file (YAML) to run." };
        var run = new RunOptionSet("ungrouped tasks",
            resumeDescription: "Re-run only what did not pass in the latest run of this job (and tasks whose definition changed).",
            localDescription: "Run in this process even when a cluster is named.",
            nodesDescription: "Run on a throwaway local cluster of N nodes, started for this run and stopped after it.");
        var only = CommonOptions.Only("Run only these tasks and everything they need.");
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate and print the plan; run nothing." };
        var detach = new Option<bool>("--detach") { Description = "Submit the run to the cluster, print its id and return; the run goes on ('skein attach RUN')." };

        var command = new Command("run",
            "Run a job file: on the cluster when one is named (--cluster, $SKEIN_CLUSTER, or a coordinator running from the state directory), " +
            "else in this process; --local forces this process, --nodes N a throwaway local cluster.")
        {
            file, run.Workers, run.State, run.Resume, only, run.Report, run.JUnit, run.Json, dryRun, run.Plain, run.OutputMode, run.Quiet,
            run.Cluster, run.TokenFile, run.Local, run.Nodes, detach,
        };
        command.SetAction((parse, ct) =>
        {
            var settings = run.Read(parse, parse.GetValue(file)!, parse.GetValue(only), parse.GetValue(dryRun)) with { Detach = parse.GetValue(detach) };
            return ExecuteAsync(settings, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct);
        });
        return command;
    }

    internal sealed record RunSettings(
        string File, int Workers, string State, bool Resume, string[]? Only, string Report,
        string? JUnitPath, string? JsonPath, bool DryRun, bool Plain, string CommandLine)
    {
        public bool WorkersGiven { get; init; }
        public string? Cluster { get; init; }
        public string? TokenFile { get; init; }
        public bool Local { get; init; }
        public int? Nodes { get; init; }
        public bool Detach { get; init; }
        public OutputMode? Output { get; init; }
    }

    /// <summary>The most nodes a throwaway cluster may have: skein up's own limit.</summary>
    private const int MaxNodes = 256;

    private static async Task<int> ExecuteAsync(RunSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (settings.Workers < 1)
        {
            await error.WriteLineAsync($"skein: --workers must be 1 or more (got {settings.Workers}).").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }
        CheckWhere(settings);
        // Decided before the job is read, so that a cluster named by mistake is said before anything else.
        // A dry run only prints the plan: it needs no cluster, and reaches none.
        var address = settings.Local || settings.Nodes is not null || settings.DryRun ? null : ClusterTarget.Find(settings.Cluster, settings.State);
        if (settings.Detach && address is null && !settings.DryRun)
            throw new SkeinException(settings.Nodes is not null
                ? "--detach leaves a run on a cluster that outlives this command; a --nodes cluster does not: use 'skein up', then 'skein run --detach'"
                : "--detach needs a cluster to leave the run on, and none is named: give --cluster HOST:PORT, set SKEIN_CLUSTER, or start one with 'skein up'");
        var token = address is null ? null : ClusterConnection.ResolveToken(settings.TokenFile, settings.State);

        StartupTrace.Mark("cluster looked for");
        var job = JobLoading.LoadValidated(settings.File, settings.Only, error, out var plan);
        StartupTrace.Mark("job loaded and validated");
        if (job is null) return ExitCodes.InvalidInput;
        if (settings.DryRun)
        {
            PlanPrinter.Print(job, plan!, output);
            return ExitCodes.Success;
        }
        if (address is not null) return await RunOnClusterAsync(job, settings, address, token!, explicitly: ClusterTarget.NamedExplicitly(settings.Cluster), output, error).ConfigureAwait(false);
        if (settings.Nodes is { } nodes)
        {
            return await OnThrowawayClusterAsync(nodes, (clusterAddress, clusterToken) =>
                RunOnClusterAsync(job, settings, clusterAddress, clusterToken, explicitly: true, output, error), error).ConfigureAwait(false);
        }

        return await RunHereAsync(job, settings, executor: null, output, error, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the job with this process hosting the run — its attempts in this process, or wherever
    /// <paramref name="executor"/> sends them — with the live view, the end-of-run summary, the reports and the exit
    /// code (<c>skein pipeline run</c> hosts its runs this way too).
    /// </summary>
    internal static async Task<int> RunHereAsync(Job job, RunSettings settings, ITaskExecutor? executor, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        await using var journal = SqliteRunJournal.Open(settings.State);
        StartupTrace.Mark("journal open");
        var options = new RunOptions
        {
            Workers = settings.Workers,
            Journal = journal,
            StateDirectory = settings.State,
            Resume = settings.Resume,
            Only = settings.Only,
            ReportStarts = true,
            CommandLine = settings.CommandLine,
            Executor = executor ?? InProcessExecutor.Instance,
        };

        await using var run = await JobRun.StartAsync(job, options, cancellationToken).ConfigureAwait(false);
        StartupTrace.Mark("run started");
        // First Ctrl+C (or SIGTERM): cancel gracefully. Second: kill every task's processes and exit at once.
        using var interrupts = new RunInterrupts(
            () =>
            {
                Console.Error.WriteLine("skein: interrupted — stopping tasks (Ctrl+C again to kill at once)");
                run.Cancel();
            },
            () =>
            {
                JobRun.KillAllProcesses();
                Console.Error.WriteLine("skein: killed");
            });
        var (progress, pump) = RunOutput.Views(job.Name, job.Tasks.Select(t => t.Id).ToList(), settings.Plain, settings.Output, output,
            () => new LocalTaskLogs(run.LogPathOf, TimeProvider.System));
        List<TaskResult> collected;
        await using (pump)
        {
            collected = await progress.FollowAsync(pump?.Observe(run.ReadEventsAsync()) ?? run.ReadEventsAsync(), () => run.TaskCount, CancellationToken.None).ConfigureAwait(false);
        }
        if (pump?.Problem is { } unshown) await error.WriteLineAsync($"skein: {unshown}").ConfigureAwait(false);
        StartupTrace.Mark("events followed");
        var summary = await run.Completion.ConfigureAwait(false);
        StartupTrace.Mark("run complete");

        var attempts = settings.JUnitPath is null && settings.JsonPath is null
            ? null
            : await ReadRetriedAttemptsAsync(settings.State, summary.RunId, collected, error, cancellationToken).ConfigureAwait(false);
        var results = new RunReport(job.Name, job.SourceFile, job.Tasks.Select(t => t.Id).ToList(), RunTotals.From(summary), collected, attempts);
        SummaryPrinter.Print(results, settings.Report, output);
        StartupTrace.Mark("summary printed");
        // A report is a copy of the verdict, not the verdict: one that cannot be written is said on stderr, and the
        // exit code stays the run's.
        if (settings.JUnitPath is { } junitPath) await WriteReportAsync("JUnit", junitPath, stream => JUnitReport.Write(results, stream), error).ConfigureAwait(false);
        if (settings.JsonPath is { } jsonPath) await WriteReportAsync("JSON", jsonPath, stream => JsonReport.Write(results, stream), error).ConfigureAwait(false);

        if (interrupts.Interrupted) return ExitCodes.Interrupted;
        return summary.Succeeded ? ExitCodes.Success : ExitCodes.TasksFailed;
    }

    /// <summary>Refuses --local, --nodes and --cluster given together where they contradict each other.</summary>
    internal static void CheckWhere(RunSettings settings)
    {
        if (settings.Local && (settings.Nodes is not null || !string.IsNullOrWhiteSpace(settings.Cluster)))
            throw new SkeinException("--local runs in this process: it cannot go with --nodes or --cluster");
        if (settings.Nodes is { } count && count is < 1 or > MaxNodes)
            throw new SkeinException($"--nodes must be between 1 and {MaxNodes}, not {count}");
        if (settings.Nodes is not null && !string.IsNullOrWhiteSpace(settings.Cluster))
            throw new SkeinException("--nodes starts a cluster of its own: it cannot go with --cluster");
    }

    internal static async Task WriteReportAsync(string kind, string path, Action<Stream> write, TextWriter error)
    {
        try
        {
            ReportFiles.Write(path, write);
        }
        catch (Exception e)
        {
            var why = e is SkeinException ? e.Message : $"cannot write report '{path}': {e.GetType().Name}: {e.Message}";
            await error.WriteLineAsync($"skein: the {kind} report was not written: {why}").ConfigureAwait(false);
        }
    }

    /// <summary>The attempts of every task that ran more than once, from the journal, for the reports' retry history.</summary>
    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<AttemptDetails>>?> ReadRetriedAttemptsAsync(
        string state, long runId, IReadOnlyList<TaskResult> results, TextWriter error, CancellationToken cancellationToken)
    {
        if (!results.Any(r => r.Attempts > 1)) return null;
        try
        {
            await using var journal = JournalReader.Open(state);
            var attempts = new Dictionary<string, IReadOnlyList<AttemptDetails>>(StringComparer.Ordinal);
            foreach (var result in results)
            {
                if (result.Attempts > 1) attempts[result.TaskId] = await journal.GetAttemptsAsync(runId, result.TaskId, cancellationToken).ConfigureAwait(false);
            }
            return attempts;
        }
        catch (SkeinException e)
        {
            await error.WriteLineAsync($"skein: the reports show no earlier attempts: {e.Message}").ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Submits the job to the cluster's coordinator, which hosts the run; then follows it, or with --detach says its id.</summary>
    private static async Task<int> RunOnClusterAsync(Job job, RunSettings settings, Uri address, string token, bool explicitly, TextWriter output, TextWriter error)
    {
        using var client = new RunsClient(address, token);
        var submission = new RunSubmission
        {
            Only = settings.Only,
            Resume = settings.Resume,
            Workers = settings.WorkersGiven ? settings.Workers : null,
            JobDirectory = job.SourceFile is { } source ? Path.GetDirectoryName(Path.GetFullPath(source)) : null,
            CommandLine = settings.CommandLine,
        };
        long runId;
        try
        {
            runId = await client.SubmitAsync(job, submission).ConfigureAwait(false);
        }
        catch (ClusterUnreachableException ex) when (explicitly)
        {
            // A cluster named on purpose that is not there is a mistake in the input: nothing was submitted.
            throw new SkeinException($"{ex.Message}; nothing was submitted", ex);
        }
        catch (SkeinException ex) when (ex is not ClusterUnreachableException)
        {
            throw new SkeinException($"the cluster at {ClusterAddress.Format(address)} refused the job: {ex.Message}", ex);
        }
        if (settings.Detach)
        {
            await output.WriteLineAsync(runId.ToString(System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
            await error.WriteLineAsync($"skein: run {runId} submitted to {ClusterAddress.Format(address)}; follow it with 'skein attach {runId}', stop it with 'skein cancel {runId}'").ConfigureAwait(false);
            return ExitCodes.Success;
        }
        return await RemoteRun.FollowAsync(client, runId, Reports(settings), output, error).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a local cluster of <paramref name="nodes"/> nodes for one run, calls <paramref name="run"/> with its
    /// address and token, and stops it whatever happens.
    /// </summary>
    internal static async Task<int> OnThrowawayClusterAsync(int nodes, Func<Uri, string, Task<int>> run, TextWriter error)
    {
        ThrowawayCluster cluster;
        using (var starting = new Shutdown())
        {
            try
            {
                cluster = await ThrowawayCluster.StartAsync(nodes, starting.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (starting.Token.IsCancellationRequested)
            {
                await error.WriteLineAsync("skein: interrupted while the cluster was starting; nothing ran").ConfigureAwait(false);
                return ExitCodes.Interrupted;
            }
            catch (ClusterStartException ex)
            {
                await error.WriteLineAsync($"skein: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.TasksFailed;
            }
        }
        await using (cluster)
        {
            return await run(ClusterAddress.Parse(cluster.Address), ClusterToken.Read(cluster.TokenPath)).ConfigureAwait(false);
        }
    }

    private static RemoteRun.ReportSettings Reports(RunSettings settings) => new(settings.Report, settings.JUnitPath, settings.JsonPath, settings.Plain) { Output = settings.Output };
}
