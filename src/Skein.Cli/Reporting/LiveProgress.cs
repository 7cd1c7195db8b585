using System.Diagnostics;
using Skein.Cli.Output;
using Skein.Engine;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Skein.Cli.Reporting;

/// <summary>A live view on a terminal: counts per outcome, a bar, and the running tasks with their elapsed time (and the last lines they printed, with <paramref name="tails"/>).</summary>
internal sealed class LiveProgress(string jobName, int initialTotal, OutputTails? tails = null) : IRunProgress
{
    private const int RunningShown = 8;
    private const int ProblemsShown = 5;
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(100);

    private readonly Dictionary<string, long> _running = new(StringComparer.Ordinal);
    private readonly int[] _counts = new int[7];
    private readonly Queue<TaskResult> _problems = new();
    private readonly TaskWaits _waits = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _total = initialTotal;
    private int _done;

    public static bool IsSupported(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected
        && Environment.GetEnvironmentVariable("CI") is null && AnsiConsole.Profile.Capabilities.Interactive;

    public async Task<List<TaskResult>> FollowAsync(IAsyncEnumerable<RunEvent> runEvents, Func<int> taskCount, CancellationToken cancellationToken)
    {
        var results = new List<TaskResult>();
        await AnsiConsole.Live(Render()).AutoClear(true).StartAsync(async live =>
        {
            var events = runEvents.GetAsyncEnumerator(cancellationToken);
            var lastDraw = 0L;
            try
            {
                while (true)
                {
                    var next = events.MoveNextAsync();
                    if (!next.IsCompleted)
                    {
                        // Quiet moment: redraw, and keep redrawing (elapsed times move) until the next event.
                        var moved = next.AsTask();
                        while (!moved.IsCompleted)
                        {
                            live.UpdateTarget(Render());
                            await Task.WhenAny(moved, Task.Delay(Refresh, cancellationToken)).ConfigureAwait(false);
                        }
                        next = new ValueTask<bool>(moved);
                    }
                    if (!await next.ConfigureAwait(false)) break;
                    Apply(events.Current, results);
                    if (_clock.ElapsedMilliseconds - lastDraw >= Refresh.TotalMilliseconds)
                    {
                        lastDraw = _clock.ElapsedMilliseconds;
                        _total = Math.Max(_total, taskCount());
                        live.UpdateTarget(Render());
                    }
                }
            }
            finally
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
        return results;
    }

    private void Apply(RunEvent e, List<TaskResult> results)
    {
        _waits.Apply(e);
        switch (e)
        {
            case TaskStarted started:
                _running[started.TaskId] = _clock.ElapsedTicks;
                break;
            case TaskRetrying retrying:
                // Waiting for its next attempt (a retry delay), not running.
                _running.Remove(retrying.TaskId);
                break;
            case TaskFinished finished:
                _running.Remove(finished.TaskId);
                _counts[(int)finished.Result.Outcome]++;
                _done++;
                results.Add(finished.Result);
                if (!finished.Result.Outcome.IsSuccess())
                {
                    // Writing lines under a live display garbles it; the latest problems are part of the view instead.
                    _problems.Enqueue(finished.Result);
                    if (_problems.Count > ProblemsShown) _problems.Dequeue();
                }
                break;
        }
    }

    private IRenderable Render()
    {
        var total = Math.Max(_total, _done);
        var width = 30;
        var filled = total == 0 ? width : (int)((long)_done * width / total);
        var bar = new string('█', filled) + new string('░', width - filled);
        var counts = new List<string>();
        for (var i = 0; i < _counts.Length; i++)
        {
            if (_counts[i] > 0) counts.Add($"[{OutcomeStyle.Color((Outcome)i)}]{_counts[i]} {((Outcome)i).ToWireName()}[/]");
        }
        var rows = new List<IRenderable>
        {
            new Markup($"[bold]{Markup.Escape(jobName)}[/]  {bar}  {_done}/{total}  {Durations.Format(_clock.Elapsed)}  {string.Join("  ", counts)}"),
        };
        var shown = 0;
        var now = _clock.ElapsedTicks;
        foreach (var (id, since) in _running.OrderBy(p => p.Value))
        {
            if (shown++ == RunningShown)
            {
                rows.Add(new Markup($"  [grey]… and {_running.Count - RunningShown} more running[/]"));
                break;
            }
            var elapsed = TimeSpan.FromSeconds((now - since) / (double)Stopwatch.Frequency);
            if (_waits.For(id) is { } waiting)
            {
                rows.Add(new Markup($"  [yellow]waiting[/] {Markup.Escape(id)} [grey]{Durations.Format(elapsed)} — {Markup.Escape(waiting)}[/]"));
                continue;
            }
            rows.Add(new Markup($"  [blue]running[/] {Markup.Escape(id)} [grey]{Durations.Format(elapsed)}[/]"));
            if (tails is not null) rows.AddRange(OutputTailRows.Of(tails, id));
        }
        foreach (var problem in _problems)
        {
            rows.Add(new Markup($"  [{OutcomeStyle.Color(problem.Outcome)}]{problem.Outcome.ToWireName()}[/] {Markup.Escape(problem.TaskId)}{Markup.Escape(problem.Reason is null ? "" : " — " + problem.Reason)}"));
        }
        return new Rows(rows);
    }
}
