using System.CommandLine;
using System.Runtime.InteropServices;
using Skein.Cli.Reporting;
using Skein.Engine;
using Skein.Engine.JobFiles;
using Skein.Engine.Journal;

namespace Skein.Cli.Commands;

/// <summary><c>skein run FILE</c>: validate a job file, run it with live progress, report, and exit with its verdict.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The job file (YAML) to run." };
        var workers = new Option<int>("--workers", "-w") { Description = "How many ungrouped tasks run at once (default: the number of cores).", HelpName = "N", DefaultValueFactory = _ => Environment.ProcessorCount };
        var state = CommonOptions.State();
        var resume = new Option<bool>("--resume") { Description = "Re-run only what did not pass in the latest run of this job (and tasks whose definition changed)." };
        var only = CommonOptions.Only("Run only these tasks and everything they need.");
        var report = new Option<string>("--report") { Description = "Report at the end: summary, detail or both.", DefaultValueFactory = _ => "summary" };
        report.AcceptOnlyFromAmong("summary", "detail", "both");
        var junit = new Option<string?>("--junit") { Description = "Also write a JUnit XML report to PATH.", HelpName = "PATH" };
        var json = new Option<string?>("--json") { Description = "Also write a JSON report to PATH.", HelpName = "PATH" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate and print the plan; run nothing." };
        var plain = new Option<bool>("--plain") { Description = "One line per event even on a terminal (the default when output is not a terminal)." };

        var command = new Command("run", "Run a job file.") { file, workers, state, resume, only, report, junit, json, dryRun, plain };
        command.SetAction((parse, ct) =>
        {
            var settings = new RunSettings(
                parse.GetValue(file)!,
                parse.GetValue(workers),
                parse.GetValue(state)!,
                parse.GetValue(resume),
                parse.GetValue(only),
                parse.GetValue(report)!,
                parse.GetValue(junit),
                parse.GetValue(json),
                parse.GetValue(dryRun),
                parse.GetValue(plain),
                Environment.CommandLine);
            return ExecuteAsync(settings, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct);
        });
        return command;
    }

    internal sealed record RunSettings(
        string File, int Workers, string State, bool Resume, string[]? Only, string Report,
        string? JUnitPath, string? JsonPath, bool DryRun, bool Plain, string CommandLine);

    private static async Task<int> ExecuteAsync(RunSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (settings.Workers < 1)
        {
            await error.WriteLineAsync($"skein: --workers must be 1 or more (got {settings.Workers}).").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }
        var job = JobLoading.LoadValidated(settings.File, settings.Only, error, out var plan);
        if (job is null) return ExitCodes.InvalidInput;
        if (settings.DryRun)
        {
            PlanPrinter.Print(job, plan!, output);
            return ExitCodes.Success;
        }

        await using var journal = SqliteRunJournal.Open(settings.State);
        var options = new RunOptions
        {
            Workers = settings.Workers,
            Journal = journal,
            StateDirectory = settings.State,
            Resume = settings.Resume,
            Only = settings.Only,
            ReportStarts = true,
            CommandLine = settings.CommandLine,
        };

        await using var run = await JobRun.StartAsync(job, options, cancellationToken).ConfigureAwait(false);
        using var interrupts = new InterruptHandler(run);
        var live = !settings.Plain && LiveProgress.IsSupported(output);
        IRunProgress progress = live ? new LiveProgress(job.Name, run.TaskCount) : new PlainProgress(output);
        var collected = await progress.FollowAsync(run, CancellationToken.None).ConfigureAwait(false);
        var summary = await run.Completion.ConfigureAwait(false);

        var attempts = settings.JUnitPath is null && settings.JsonPath is null
            ? null
            : await ReadRetriedAttemptsAsync(settings.State, summary.RunId, collected, error, cancellationToken).ConfigureAwait(false);
        var results = new RunReport(job, summary, collected, attempts);
        SummaryPrinter.Print(results, settings.Report, output);
        // A report is a copy of the verdict, not the verdict: one that cannot be written is said on stderr, and the
        // exit code stays the run's.
        if (settings.JUnitPath is { } junitPath) await WriteReportAsync("JUnit", junitPath, stream => JUnitReport.Write(results, stream), error).ConfigureAwait(false);
        if (settings.JsonPath is { } jsonPath) await WriteReportAsync("JSON", jsonPath, stream => JsonReport.Write(results, stream), error).ConfigureAwait(false);

        if (interrupts.Interrupted) return ExitCodes.Interrupted;
        return summary.Succeeded ? ExitCodes.Success : ExitCodes.TasksFailed;
    }

    private static async Task WriteReportAsync(string kind, string path, Action<Stream> write, TextWriter error)
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

    /// <summary>First Ctrl+C (or SIGTERM): cancel gracefully. Second: kill every task's processes and exit at once.</summary>
    private sealed class InterruptHandler : IDisposable
    {
        private readonly JobRun _run;
        private readonly PosixSignalRegistration _sigint;
        private readonly PosixSignalRegistration _sigterm;
        private int _count;

        public InterruptHandler(JobRun run)
        {
            _run = run;
            _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        }

        public bool Interrupted => Volatile.Read(ref _count) > 0;

        private void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref _count) == 1)
            {
                Console.Error.WriteLine("skein: interrupted — stopping tasks (Ctrl+C again to kill at once)");
                _run.Cancel();
                return;
            }
            JobRun.KillAllProcesses();
            Console.Error.WriteLine("skein: killed");
            Environment.Exit(ExitCodes.Interrupted);
        }

        public void Dispose()
        {
            _sigint.Dispose();
            _sigterm.Dispose();
        }
    }
}
