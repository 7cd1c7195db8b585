using System.Runtime.InteropServices;
using Skein.Cli.Output;
using Skein.Cli.Reporting;
using Skein.Cluster;
using Skein.Cluster.Runs;
using Skein.Engine;
using Skein.Cluster.Addressing;
using Skein.Engine.Journal;

namespace Skein.Cli.Commands;

/// <summary>
/// Follows a run hosted by a cluster's coordinator with the same progress view, reports and exit code as a run in
/// this process: the engine's events are rebuilt from the wire and fed to the same views.
/// </summary>
internal static class RemoteRun
{
    internal sealed record ReportSettings(string Report, string? JUnitPath, string? JsonPath, bool Plain)
    {
        public OutputMode? Output { get; init; }
    }

    public static async Task<int> FollowAsync(RunsClient client, long runId, ReportSettings settings, TextWriter output, TextWriter error)
    {
        var followed = await FollowToEndAsync(client, runId, settings, output, error).ConfigureAwait(false);
        var results = followed.Report;
        SummaryPrinter.Print(results, settings.Report, output);
        // As for a run in this process: a report that cannot be written is said on stderr and never changes the exit code.
        if (settings.JUnitPath is { } junitPath) await RunCommand.WriteReportAsync("JUnit", junitPath, stream => JUnitReport.Write(results, stream), error).ConfigureAwait(false);
        if (settings.JsonPath is { } jsonPath) await RunCommand.WriteReportAsync("JSON", jsonPath, stream => JsonReport.Write(results, stream), error).ConfigureAwait(false);
        if (followed.Problem is { } problem) await error.WriteLineAsync($"skein: run {runId} could not go on: {problem}").ConfigureAwait(false);

        if (followed.Interrupted) return ExitCodes.Interrupted;
        return results.Summary.Succeeded && followed.Problem is null ? ExitCodes.Success : ExitCodes.TasksFailed;
    }

    /// <summary>A hosted run followed to its end: its report, what stopped it early if anything did, and whether Ctrl+C was pressed.</summary>
    internal sealed record FollowedRun(RunReport Report, string? Problem, bool Interrupted);

    /// <summary>
    /// Follows the run to its end with the progress view (Ctrl+C cancels it on the coordinator) and gathers its
    /// report; printing and writing the reports is the caller's.
    /// </summary>
    public static async Task<FollowedRun> FollowToEndAsync(RunsClient client, long runId, ReportSettings settings, TextWriter output, TextWriter error)
    {
        // First Ctrl+C (or SIGTERM): cancel the run on the coordinator — every task stopped — and keep following until it
        // has ended. Second: stop following at once; the coordinator finishes stopping the run.
        using var interrupts = new RunInterrupts(
            () =>
            {
                Console.Error.WriteLine($"skein: interrupted — cancelling run {runId} on the cluster (Ctrl+C again to stop following)");
                _ = CancelAsync(client, runId);
            },
            () => Console.Error.WriteLine($"skein: stopped following run {runId}; the cluster is stopping its tasks"));
        await using var events = client.WatchAsync(runId).GetAsyncEnumerator();
        if (!await events.MoveNextAsync().ConfigureAwait(false) || events.Current.Header is not { } header)
            throw new SkeinException($"the coordinator at {client.Address} sent nothing about run {runId}");

        HostedRunEnd? end = null;
        var (progress, pump) = RunOutput.Views(header.JobName, header.TaskIds, settings.Plain, settings.Output, output, () => new RemoteTaskLogs(client, runId));
        List<TaskResult> collected;
        try
        {
            await using (pump)
            {
                var runEvents = Events(events, e => end = e);
                collected = await progress.FollowAsync(pump?.Observe(runEvents) ?? runEvents, () => header.TaskCount, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (ClusterUnreachableException ex)
        {
            // Not the run's end: it goes on without this client, as it would after a kill -9 of it.
            throw new ClusterUnreachableException(client.Address,
                $"lost it while following run {runId} ({ex.Message}); the run goes on there: follow it again with 'skein attach {runId}'", ex);
        }
        if (end is null)
            throw new SkeinException($"the coordinator ended run {runId}'s events before the run ended; follow it again with 'skein attach {runId}'");

        if (pump?.Problem is { } unshown) await error.WriteLineAsync($"skein: {unshown}").ConfigureAwait(false);
        var totals = new RunTotals(header.RunId, end.Status, end.StartedAt, end.Duration, o => end.Counts.GetValueOrDefault(o));
        var attempts = settings.JUnitPath is null && settings.JsonPath is null
            ? null
            : await ReadRetriedAttemptsAsync(client, header.RunId, collected, error).ConfigureAwait(false);
        var results = new RunReport(header.JobName, header.JobFile, header.TaskIds, totals, collected, attempts);
        return new FollowedRun(results, end.Error, interrupts.Interrupted);
    }

    /// <summary>The attempts of every task that ran more than once, from the coordinator's journal, for the reports' retry history.</summary>
    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<AttemptDetails>>?> ReadRetriedAttemptsAsync(
        RunsClient client, long runId, IReadOnlyList<TaskResult> results, TextWriter error)
    {
        var retried = results.Where(r => r.Attempts > 1).Select(r => r.TaskId).ToList();
        if (retried.Count == 0) return null;
        try
        {
            return await client.AttemptsAsync(runId, retried).ConfigureAwait(false);
        }
        catch (SkeinException e)
        {
            // As in this process: the reports are still written, without the earlier attempts.
            await error.WriteLineAsync($"skein: the reports show no earlier attempts: {e.Message}").ConfigureAwait(false);
            return null;
        }
    }

    private static async IAsyncEnumerable<RunEvent> Events(IAsyncEnumerator<HostedRunEvent> events, Action<HostedRunEnd> ended)
    {
        while (await events.MoveNextAsync().ConfigureAwait(false))
        {
            var current = events.Current;
            if (current.Event is { } e) yield return e;
            if (current.Ended is { } end)
            {
                ended(end);
                yield break;
            }
        }
    }

    private static async Task CancelAsync(RunsClient client, long runId)
    {
        try
        {
            await client.CancelAsync(runId).ConfigureAwait(false);
        }
        catch (SkeinException ex)
        {
            Console.Error.WriteLine($"skein: could not cancel run {runId}: {ex.Message}");
        }
    }
}
