using System.Runtime.CompilerServices;
using Skein.Engine;

namespace Skein.Cli.Output;

/// <summary>
/// Watches a run's events on their way to the progress view and follows the output of each task that starts, passing
/// its lines to a view. Showing output is a service to the reader, never part of the run: a log that cannot be read is
/// said once at the end, and nothing here changes the run's course or its verdict.
/// </summary>
internal sealed class TaskOutputPump(TaskLogSource source, ITaskOutputView view) : IAsyncDisposable
{
    /// <summary>At most this many tasks are followed at once (each is a file polled or a stream from the coordinator); the rest wait their turn.</summary>
    private const int MaxFollowed = 32;

    /// <summary>How long the end of a run waits for the last output still on its way before giving up on it.</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(10);

    /// <summary>How long a task's finished event waits for the last of its output to be shown before it.</summary>
    private static readonly TimeSpan FinishWait = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, (TaskWatch Watch, Task Follower)> _watches = new(StringComparer.Ordinal);
    private readonly List<Task> _followers = [];
    private readonly SemaphoreSlim _slots = new(MaxFollowed);
    private readonly CancellationTokenSource _stop = new();
    private string? _problem;

    /// <summary>Why some output could not be shown (the first reason), once the pump is disposed; null when all of it was.</summary>
    public string? Problem => Volatile.Read(ref _problem);

    public async IAsyncEnumerable<RunEvent> Observe(IAsyncEnumerable<RunEvent> events, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (See(e) is { } follower && view.ShowsFinishedTasks)
            {
                // A task's lines read better before the line saying it finished: its log is read to the end first —
                // for a moment at most, so that a slow log never holds up the run's progress.
                await Task.WhenAny(follower, Task.Delay(FinishWait, TimeProvider.System, cancellationToken)).ConfigureAwait(false);
            }
            yield return e;
        }
    }

    /// <returns>The follower of a task that has just finished; null for other events.</returns>
    private Task? See(RunEvent e)
    {
        switch (e)
        {
            case TaskStarted started when _watches.TryGetValue(started.TaskId, out var known):
                known.Watch.Started(started.Attempt);
                return null;
            case TaskStarted started:
                var watch = new TaskWatch(started.TaskId, started.Attempt);
                var follower = FollowAsync(watch);
                _watches[started.TaskId] = (watch, follower);
                _followers.Add(follower);
                return null;
            case TaskFinished finished when _watches.TryGetValue(finished.TaskId, out var done):
                done.Watch.Finish();
                return done.Follower;
            default:
                return null;
        }
    }

    private async Task FollowAsync(TaskWatch watch)
    {
        var stop = _stop.Token;
        try
        {
            await _slots.WaitAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            if (watch.Finished && !view.ShowsFinishedTasks) return;
            var router = new TaskOutputRouter(watch.TaskId, view);
            try
            {
                await source.FollowAsync(watch, router, stop).ConfigureAwait(false);
            }
            finally
            {
                router.End();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run's end stopped waiting for it.
        }
        catch (Exception ex)
        {
            // Whatever went wrong reading the output (a log gone, a lost coordinator), the run is unaffected: say it once.
            Interlocked.CompareExchange(ref _problem, $"the output of task '{watch.TaskId}' could not be read: {ex.Message}", null);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Waits (a bounded while) for the output still being read of tasks that finished, then stops following.</summary>
    public async ValueTask DisposeAsync()
    {
        // A run whose events ended early (a lost coordinator, an interrupt) leaves tasks unfinished: stop waiting for them.
        foreach (var (watch, _) in _watches.Values) watch.Finish();
        var all = Task.WhenAll(_followers);
        await Task.WhenAny(all, Task.Delay(DrainGrace, TimeProvider.System)).ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await all.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
        _slots.Dispose();
    }
}
