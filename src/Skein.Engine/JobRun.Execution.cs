using Skein.Engine.Internal;

namespace Skein.Engine;

// Running one task: attempts, retries, the timeout watchdog, and what a task context may ask of the run.
public sealed partial class JobRun
{
    /// <summary>
    /// Runs the task's attempts. When every attempt finishes synchronously (a C# task that does not await) the
    /// returned ValueTask is already complete and no async state machine is involved.
    /// </summary>
    private ValueTask<TaskResult> ExecuteAsync(TaskNode node)
    {
        var spec = node.Spec;
        var startedAt = _time.GetUtcNow();
        var start = _time.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            var pending = RunAttemptAsync(spec, attempt, attempt == 1 ? startedAt : _time.GetUtcNow());
            if (!pending.IsCompletedSuccessfully) return ContinueExecutingAsync(spec, attempt, pending, startedAt, start);
            var outcome = pending.Result;
            if (!ShouldRetry(spec, attempt, outcome)) return new ValueTask<TaskResult>(Result(spec, attempt, outcome, startedAt, start));
        }
    }

    private async ValueTask<TaskResult> ContinueExecutingAsync(TaskSpec spec, int attempt, ValueTask<AttemptOutcome> pending, DateTimeOffset startedAt, long start)
    {
        while (true)
        {
            var outcome = await pending.ConfigureAwait(false);
            if (!ShouldRetry(spec, attempt, outcome)) return Result(spec, attempt, outcome, startedAt, start);
            attempt++;
            pending = RunAttemptAsync(spec, attempt, _time.GetUtcNow());
        }
    }

    /// <summary>Records the attempt's end, and announces a retry when the task gets another attempt.</summary>
    private bool ShouldRetry(TaskSpec spec, int attempt, AttemptOutcome outcome)
    {
        _journal?.RecordAttemptFinished(RunId, spec.Id, attempt, outcome.Outcome, outcome.Message, outcome.ExitCode, _time.GetUtcNow());
        var retry = outcome.Outcome is Outcome.Failed or Outcome.TimedOut or Outcome.Errored
                    && attempt <= spec.Retries && !_cancel.IsCancellationRequested;
        if (retry) _events.WriteAndFlush(new TaskRetrying(spec.Id, attempt, outcome.Outcome, outcome.Message));
        return retry;
    }

    private TaskResult Result(TaskSpec spec, int attempts, AttemptOutcome outcome, DateTimeOffset startedAt, long start) => new()
    {
        TaskId = spec.Id,
        Outcome = outcome.Outcome,
        Reason = outcome.Message,
        Value = outcome.Value,
        Attempts = attempts,
        StartedAt = startedAt,
        Duration = _time.GetElapsedTime(start),
        SubResults = outcome.SubResults,
        LogPath = outcome.LogPath,
        ExitCode = outcome.ExitCode,
    };

    private readonly record struct AttemptOutcome(Outcome Outcome, string? Message, object? Value, int? ExitCode, IReadOnlyList<SubResult> SubResults, string? LogPath);

    /// <summary>One attempt; complete on return when the action finished synchronously and has no timeout to watch.</summary>
    private ValueTask<AttemptOutcome> RunAttemptAsync(TaskSpec spec, int attempt, DateTimeOffset attemptStartedAt)
    {
        if (_options.ReportStarts) _events.WriteAndFlush(new TaskStarted(spec.Id, attempt, attemptStartedAt));
        // The journal records every attempt's log path up front; without one the path is built only if the task logs.
        string? logPath = null;
        if (_journal is not null)
        {
            logPath = LogPathFor(spec.Id, attempt);
            _journal.RecordAttemptStarted(RunId, spec.Id, attempt, attemptStartedAt, logPath);
        }
        if (spec.Timeout is not null) return RunWatchedAttemptAsync(spec, attempt, logPath);

        var token = _cancel.Token;
        var context = new TaskContext(this, spec.Id, attempt, logPath, token);
        ValueTask<ActionResult> pending;
        try
        {
            pending = spec.Action.ExecuteAsync(context, token);
        }
        catch (Exception ex)
        {
            pending = new ValueTask<ActionResult>(ResultOf(ex, context, watchdog: null));
        }
        if (!pending.IsCompletedSuccessfully) return AwaitAttemptAsync(spec, context, pending, watchdog: null);
        using (context) return new ValueTask<AttemptOutcome>(Conclude(spec, context, pending.Result, watchdog: null, abandoned: false));
    }

    private async ValueTask<AttemptOutcome> RunWatchedAttemptAsync(TaskSpec spec, int attempt, string? logPath)
    {
        // A command is killed when it times out and ends on its own; only code that cannot be killed is abandoned.
        var abandonGrace = (spec.Action as CommandAction)?.StopWithin ?? _options.AbandonGrace;
        using var watchdog = new AttemptWatchdog(spec.Timeout!.Value, abandonGrace, _time, _cancel.Token);
        var context = new TaskContext(this, spec.Id, attempt, logPath, watchdog.Token);
        // Started off this thread: a synchronous body that blocks and ignores its token would otherwise hold the
        // worker inside ExecuteAsync, where the watchdog could never abandon it.
        var action = spec.Action;
        var token = watchdog.Token;
        var pending = new ValueTask<ActionResult>(Task.Run(() => action.ExecuteAsync(context, token).AsTask(), CancellationToken.None));
        return await AwaitAttemptAsync(spec, context, pending, watchdog).ConfigureAwait(false);
    }

    /// <summary>Waits for an action that did not finish synchronously (through the watchdog when it has a timeout).</summary>
    private async ValueTask<AttemptOutcome> AwaitAttemptAsync(TaskSpec spec, TaskContext context, ValueTask<ActionResult> pending, AttemptWatchdog? watchdog)
    {
        using (context)
        {
            ActionResult result;
            var abandoned = false;
            try
            {
                if (pending.IsCompletedSuccessfully)
                {
                    result = pending.Result;
                }
                else
                {
                    // Wait for the attempt, unless it outlives its timeout or the run's cancellation by the grace.
                    // Commands are killed and end on their own, so the run's cancel grace does not apply to them.
                    var work = pending.AsTask();
                    var cancelGrace = spec.Action is CommandAction ? work : _cancelGraceOver.Task;
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
            catch (Exception ex)
            {
                result = ResultOf(ex, context, watchdog);
            }
            return Conclude(spec, context, result, watchdog, abandoned);
        }
    }

    /// <summary>What an exception out of an action means for its attempt.</summary>
    private ActionResult ResultOf(Exception exception, TaskContext context, AttemptWatchdog? watchdog)
    {
        if (exception is OperationCanceledException)
        {
            if (watchdog?.TimedOut == true) return default; // Conclude reports the timeout
            if (_cancel.IsCancellationRequested) return new ActionResult(Outcome.Cancelled, "cancelled while running");
        }
        // The task's own code threw: that is the task failing, not the engine. The stack trace goes to its log.
        WriteExceptionToLog(context, exception);
        return ActionResult.Failed($"{exception.GetType().Name}: {exception.Message}");
    }

    /// <summary>The attempt's outcome: the action's result, overridden by a timeout or cancellation, combined with its sub-results.</summary>
    private AttemptOutcome Conclude(TaskSpec spec, TaskContext context, ActionResult result, AttemptWatchdog? watchdog, bool abandoned)
    {
        var outcome = result.Outcome;
        var message = result.Message;
        if (watchdog?.TimedOut == true)
        {
            outcome = Outcome.TimedOut;
            message = abandoned
                ? $"timed out after {Durations.Format(spec.Timeout!.Value)} and did not stop within {Durations.Format(_options.AbandonGrace)}; abandoned"
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
        return new AttemptOutcome(outcome, message, result.Value, result.ExitCode, subResults, context.WrittenLogPath);
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

    string IRunHost.LogPathFor(string taskId, int attempt) => LogPathFor(taskId, attempt);

    internal string LogPathFor(string taskId, int attempt) =>
        Path.Combine(_logDirectory, $"{FileNames.Escape(taskId)}.{attempt}.log");

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
