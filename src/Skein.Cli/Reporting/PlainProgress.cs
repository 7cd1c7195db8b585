using System.Diagnostics;
using System.Globalization;
using Skein.Engine;

namespace Skein.Cli.Reporting;

/// <summary>One plain line per event, for CI logs and pipes. Output is flushed whenever the run goes quiet.</summary>
internal sealed class PlainProgress(TextWriter output) : IRunProgress
{
    public async Task<List<TaskResult>> FollowAsync(IAsyncEnumerable<RunEvent> runEvents, Func<int> taskCount, CancellationToken cancellationToken)
    {
        var results = new List<TaskResult>();
        var clock = Stopwatch.StartNew();
        var waits = new TaskWaits();
        var events = runEvents.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                var next = events.MoveNextAsync();
                if (!next.IsCompleted) await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (!await next.ConfigureAwait(false)) break;
                var stamp = clock.Elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture).PadLeft(8);
                // One line when a task starts to wait for room, not one per change of what it waits for.
                if (waits.Apply(events.Current) && events.Current is TaskWaiting waiting)
                    output.WriteLine($"[{stamp}s] waiting   {waiting.TaskId}: {waiting.Reason}");
                switch (events.Current)
                {
                    case TaskStarted started:
                        output.WriteLine(started.Attempt == 1
                            ? $"[{stamp}s] start     {started.TaskId}"
                            : $"[{stamp}s] start     {started.TaskId} (attempt {started.Attempt})");
                        break;
                    case TaskRetrying retrying:
                        output.WriteLine($"[{stamp}s] retry     {retrying.TaskId}: attempt {retrying.FailedAttempt} {retrying.Outcome.ToWireName()}{(retrying.Reason is null ? "" : $" ({retrying.Reason})")}{(retrying.Delay > TimeSpan.Zero ? $", waiting {Durations.Format(retrying.Delay)}" : "")}");
                        break;
                    case TaskFinished finished:
                        results.Add(finished.Result);
                        output.WriteLine(Format(stamp, finished.Result));
                        break;
                }
            }
        }
        finally
        {
            await events.DisposeAsync().ConfigureAwait(false);
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        return results;
    }

    private static string Format(string stamp, TaskResult result)
    {
        var outcome = result.Outcome.ToWireName().PadRight(9);
        var duration = result.Attempts > 0 ? $" {Durations.Format(result.Duration)}" : "";
        var reason = result.Reason is null ? "" : $" — {result.Reason}";
        return $"[{stamp}s] {outcome} {result.TaskId}{duration}{reason}";
    }
}
