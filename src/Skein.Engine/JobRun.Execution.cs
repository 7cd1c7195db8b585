using Skein.Engine.Internal;

namespace Skein.Engine;

// Running one task: attempts, retries, the timeout watchdog, and what a task context may ask of the run.
public sealed partial class JobRun
{
    private async ValueTask<TaskResult> ExecuteAsync(TaskNode node)
    {
        var spec = node.Spec;
        var startedAt = _time.GetUtcNow();
        var start = _time.GetTimestamp();
        var attempt = 0;
        while (true)
        {
            attempt++;
            var attemptStartedAt = attempt == 1 ? startedAt : _time.GetUtcNow();
            if (_options.ReportStarts) _events.Writer.TryWrite(new TaskStarted(spec.Id, attempt, attemptStartedAt));
            var logPath = LogPathFor(spec.Id, attempt);
            _journal?.RecordAttemptStarted(RunId, spec.Id, attempt, attemptStartedAt, logPath);

            var outcome = await RunAttemptAsync(spec, attempt, logPath).ConfigureAwait(false);
            _journal?.RecordAttemptFinished(RunId, spec.Id, attempt, outcome.Outcome, outcome.Message, outcome.ExitCode, _time.GetUtcNow());

            var retry = outcome.Outcome is Outcome.Failed or Outcome.TimedOut or Outcome.Errored
                        && attempt <= spec.Retries && !_cancel.IsCancellationRequested;
            if (retry)
            {
                _events.Writer.TryWrite(new TaskRetrying(spec.Id, attempt, outcome.Outcome, outcome.Message));
                continue;
            }
            return new TaskResult
            {
                TaskId = spec.Id,
                Outcome = outcome.Outcome,
                Reason = outcome.Message,
                Value = outcome.Value,
                Attempts = attempt,
                StartedAt = startedAt,
                Duration = _time.GetElapsedTime(start),
                SubResults = outcome.SubResults,
                LogPath = outcome.HasLog ? logPath : null,
                ExitCode = outcome.ExitCode,
            };
        }
    }

    private readonly record struct AttemptOutcome(Outcome Outcome, string? Message, object? Value, int? ExitCode, IReadOnlyList<SubResult> SubResults, bool HasLog);

    private async ValueTask<AttemptOutcome> RunAttemptAsync(TaskSpec spec, int attempt, string logPath)
    {
        // A command is killed when it times out and ends on its own; only code that cannot be killed is abandoned.
        var command = spec.Action as CommandAction;
        var abandonGrace = command?.StopWithin ?? _options.AbandonGrace;
        using var watchdog = spec.Timeout is { } timeout ? new AttemptWatchdog(timeout, abandonGrace, _time, _cancel.Token) : null;
        var token = watchdog?.Token ?? _cancel.Token;
        using var context = new TaskContext(this, spec.Id, attempt, logPath, token);
        ActionResult result;
        var abandoned = false;
        try
        {
            ValueTask<ActionResult> pending;
            if (watchdog is null)
            {
                pending = spec.Action.ExecuteAsync(context, token);
            }
            else
            {
                // Started off this thread: a synchronous body that blocks and ignores its token would otherwise hold
                // the worker inside ExecuteAsync, where the watchdog can never abandon it.
                var action = spec.Action;
                pending = new ValueTask<ActionResult>(Task.Run(() => action.ExecuteAsync(context, token).AsTask(), CancellationToken.None));
            }
            if (pending.IsCompletedSuccessfully)
            {
                result = pending.Result;
            }
            else
            {
                // Wait for the attempt, unless it outlives its timeout or the run's cancellation by the grace.
                // Commands are killed and end on their own, so the run's cancel grace does not apply to them.
                var work = pending.AsTask();
                var cancelGrace = command is null ? _cancelGraceOver.Task : work;
                var first = await Task.WhenAny(work, watchdog?.Expired ?? work, cancelGrace).ConfigureAwait(false);
                if (first == work)
                {
                    result = await work.ConfigureAwait(false);
                }
                else
                {
                    abandoned = true;
                    result = default;
                    // Observe the abandoned work's eventual failure so it never surfaces as an unobserved exception.
                    _ = work.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                }
            }
        }
        catch (OperationCanceledException) when (watchdog?.TimedOut == true)
        {
            result = default;
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            result = new ActionResult(Outcome.Cancelled, "cancelled while running");
        }
        catch (Exception ex)
        {
            // The task's own code threw: that is the task failing, not the engine. The stack trace goes to its log.
            WriteExceptionToLog(context, ex);
            result = ActionResult.Failed($"{ex.GetType().Name}: {ex.Message}");
        }

        var outcome = result.Outcome;
        var message = result.Message;
        if (watchdog?.TimedOut == true)
        {
            outcome = Outcome.TimedOut;
            message = abandoned
                ? $"timed out after {Durations.Format(spec.Timeout!.Value)} and did not stop within {Durations.Format(abandonGrace)}; abandoned"
                : $"timed out after {Durations.Format(spec.Timeout!.Value)}";
        }
        else if (abandoned)
        {
            outcome = Outcome.Cancelled;
            message = $"cancelled while running and did not stop within {Durations.Format(_options.AbandonGrace)}; abandoned";
        }
        else if (_cancel.IsCancellationRequested && !outcome.IsSuccess())
        {
            outcome = Outcome.Cancelled;
            message ??= "cancelled while running";
        }

        var subResults = context.SubResults;
        foreach (var sub in subResults) outcome = outcome.CombineWithSubResult(sub.Outcome);
        if (message is null && !outcome.IsSuccess() && subResults.Count > 0) message = FirstBadSubResult(subResults);
        return new AttemptOutcome(outcome, message, result.Value, result.ExitCode, subResults, context.HasLog);
    }

    private static string? FirstBadSubResult(IReadOnlyList<SubResult> subResults)
    {
        foreach (var sub in subResults)
        {
            if (!sub.Outcome.IsSuccess() && sub.Outcome != Outcome.Skipped)
                return sub.Message is null ? $"{sub.Name} {sub.Outcome.ToWireName()}" : $"{sub.Name} {sub.Outcome.ToWireName()}: {sub.Message}";
        }
        return null;
    }

    private static void WriteExceptionToLog(TaskContext context, Exception ex)
    {
        try
        {
            context.Log.WriteLine(ex.ToString());
        }
        catch (IOException)
        {
            // The failure is still reported as the task's reason; a log we cannot write must not hide it.
        }
    }

    internal string LogPathFor(string taskId, int attempt) =>
        Path.Combine(_logDirectory, $"{FileNames.Sanitize(taskId)}.{attempt}.log");

    object? IRunHost.GetValue(string taskId, string askingTaskId)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue(taskId, out var node))
                throw new InvalidOperationException($"Task '{askingTaskId}' asked for the result of '{taskId}', which is not a task of this run.");
            if (node.State != NodeState.Done || node.Result is not { } result)
                throw new InvalidOperationException($"Task '{askingTaskId}' asked for the result of '{taskId}', which has not finished; add it to '{askingTaskId}' needs.");
            if (!result.Outcome.IsSuccess())
                throw new InvalidOperationException($"Task '{askingTaskId}' asked for the result of '{taskId}', which {result.Outcome.ToWireName()}.");
            if (result.Reused)
                throw new InvalidOperationException($"Task '{askingTaskId}' asked for the result of '{taskId}', which was {result.Reason}; values are not kept across runs.");
            return result.Value;
        }
    }
}
