using Skein.Shared.Text;

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
        if (spec.RetryDelay > TimeSpan.Zero && spec.Retries > 0) return ExecuteWithRetryDelaysAsync(spec, startedAt, start);
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

    /// <summary>Records the attempt's end, and announces a retry when the task gets another attempt at once.</summary>
    private bool ShouldRetry(TaskSpec spec, int attempt, AttemptOutcome outcome)
    {
        RecordAttemptFinished(spec, attempt, outcome);
        var retry = IsRetryable(outcome) && attempt <= spec.Retries;
        if (retry) _events.WriteAndFlush(new TaskRetrying(spec.Id, attempt, outcome.Outcome, outcome.Message));
        return retry;
    }

    private void RecordAttemptFinished(TaskSpec spec, int attempt, AttemptOutcome outcome) =>
        _journal?.RecordAttemptFinished(RunId, spec.Id, attempt, outcome.Outcome, outcome.Message, outcome.ExitCode, _time.GetUtcNow());

    /// <summary>Whether an attempt that ended so calls for another, retries left permitting.</summary>
    private bool IsRetryable(AttemptOutcome outcome) =>
        !outcome.Final && outcome.Outcome is Outcome.Failed or Outcome.TimedOut or Outcome.Errored && !_cancel.IsCancellationRequested;

    /// <summary>The task being retried with delays, as the Polly pipeline's callbacks see it.</summary>
    private sealed class RetryingTask(JobRun run, TaskSpec spec, DateTimeOffset startedAt)
    {
        public JobRun Run { get; } = run;
        public TaskSpec Spec { get; } = spec;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public int Attempt { get; set; }
        public AttemptOutcome Last { get; set; }
    }

    private static readonly Polly.ResiliencePropertyKey<RetryingTask> RetryingTaskKey = new("skein.retrying-task");

    private RetryPipelines<AttemptOutcome> CreateRetryPipelines() => new(
        _time,
        IsRetryable,
        args =>
        {
            // Told before the delay: progress views show the task as waiting, not running, until its next attempt.
            var task = args.Context.Properties.GetValue(RetryingTaskKey, null!);
            var failed = args.Outcome.Result;
            _events.WriteAndFlush(new TaskRetrying(task.Spec.Id, task.Attempt, failed.Outcome, failed.Message) { Delay = args.RetryDelay });
            return ValueTask.CompletedTask;
        });

    /// <summary>
    /// Runs the task's attempts through its retry pipeline, which waits before each retry. The task keeps its worker
    /// and its claims through the delay, as it does between retries without one; cancelling the run ends the delay.
    /// </summary>
    private async ValueTask<TaskResult> ExecuteWithRetryDelaysAsync(TaskSpec spec, DateTimeOffset startedAt, long start)
    {
        var task = new RetryingTask(this, spec, startedAt);
        var context = Polly.ResilienceContextPool.Shared.Get(_cancel.Token);
        context.Properties.Set(RetryingTaskKey, task);
        try
        {
            var outcome = await _retryPipelines.For(spec).ExecuteAsync(
                static (_, task) => task.Run.RunRetriedAttemptAsync(task), context, task).ConfigureAwait(false);
            return Result(spec, task.Attempt, outcome, startedAt, start);
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            // Polly ends the delay (or declines to start a first attempt) when the run is cancelled.
            if (task.Attempt == 0) return new TaskResult { TaskId = spec.Id, Outcome = Outcome.Cancelled, Reason = "the run was cancelled before it started" };
            var last = task.Last;
            var cancelled = last with
            {
                Outcome = Outcome.Cancelled,
                Message = $"cancelled while waiting to retry (attempt {task.Attempt} {Describe(last.Outcome)}{(last.Message is null ? "" : ": " + last.Message)})",
            };
            return Result(spec, task.Attempt, cancelled, startedAt, start);
        }
        finally
        {
            Polly.ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<AttemptOutcome> RunRetriedAttemptAsync(RetryingTask task)
    {
        var attempt = ++task.Attempt;
        var outcome = await RunAttemptAsync(task.Spec, attempt, attempt == 1 ? task.StartedAt : _time.GetUtcNow()).ConfigureAwait(false);
        RecordAttemptFinished(task.Spec, attempt, outcome);
        task.Last = outcome;
        return outcome;
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
        Outputs = outcome.Outputs,
        Artifacts = outcome.Artifacts,
    };

    /// <param name="Final">Another attempt would end the same way (an output it reads was never set): no retry.</param>
    private readonly record struct AttemptOutcome(
        Outcome Outcome, string? Message, object? Value, int? ExitCode, IReadOnlyList<SubResult> SubResults, string? LogPath,
        IReadOnlyDictionary<string, string> Outputs, bool Final = false)
    {
        /// <summary>The files the attempt handed on; only a successful attempt keeps any.</summary>
        public IReadOnlyList<ArtifactFile> Artifacts { get; init; } = [];
    }

    /// <summary>
    /// How long an attempt is waited for after its token fired: what its action promises, or the abandon grace for
    /// code that promises nothing.
    /// </summary>
    private TimeSpan StopGrace(TaskSpec spec) => spec.Action.StopsWithin ?? _options.AbandonGrace;

    /// <summary>One attempt; complete on return when the executor finished it synchronously and it has no timeout to watch.</summary>
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
        // The outputs it reads are filled in now, before the executor sees the attempt, wherever it will run.
        var action = spec.Action;
        if (action is IReadsTaskOutputs reads && reads.OutputReferences.Count > 0)
        {
            action = ResolveOutputs(spec, reads, out var unresolved);
            if (unresolved is not null)
            {
                using var failed = new TaskContext(this, spec.Id, attempt, logPath, _cancel.Token);
                return new ValueTask<AttemptOutcome>(Conclude(spec, failed, ActionResult.Failed(unresolved), watchdog: null, abandoned: false) with { Final = true });
            }
        }
        // The artifacts its needs handed on go with the attempt, wherever it runs.
        var inputs = InputArtifacts(spec, out var conflict);
        if (conflict is not null)
        {
            using var failed = new TaskContext(this, spec.Id, attempt, logPath, _cancel.Token);
            return new ValueTask<AttemptOutcome>(Conclude(spec, failed, ActionResult.Failed(conflict), watchdog: null, abandoned: false) with { Final = true });
        }
        if (spec.Timeout is not null) return RunWatchedAttemptAsync(spec, action, attempt, attemptStartedAt, logPath, inputs);

        var token = _cancel.Token;
        var context = new TaskContext(this, spec.Id, attempt, logPath, token);
        var pending = StartAttempt(new TaskAttempt(spec, action, attempt, RunId, attemptStartedAt, context, inputs, ArtifactLimit), token, watchdog: null);
        if (!pending.IsCompletedSuccessfully) return AwaitAttemptAsync(spec, context, pending, watchdog: null);
        using (context) return new ValueTask<AttemptOutcome>(Conclude(spec, context, pending.Result, watchdog: null, abandoned: false));
    }

    /// <summary>The action with the outputs it reads filled in; on a problem (an output never set), the task's own action and the reason.</summary>
    private ITaskAction ResolveOutputs(TaskSpec spec, IReadsTaskOutputs reads, out string? problem)
    {
        problem = null;
        try
        {
            return reads.WithOutputs(reference =>
            {
                var outputs = ((IRunHost)this).GetOutputs(reference.TaskId, spec.Id);
                return outputs.TryGetValue(reference.Name, out var value)
                    ? value
                    : throw new MissingOutputException(reference, $"task '{reference.TaskId}' set no output '{reference.Name}'");
            });
        }
        catch (Exception e) when (e is MissingOutputException or InvalidOperationException or ArgumentException)
        {
            problem = e.Message;
            return spec.Action;
        }
    }

    private async ValueTask<AttemptOutcome> RunWatchedAttemptAsync(TaskSpec spec, ITaskAction action, int attempt, DateTimeOffset attemptStartedAt, string? logPath,
        IReadOnlyList<ArtifactFile>? inputs)
    {
        // An action that promises to stop (a command is killed) is waited for that long; only code that cannot be
        // stopped is abandoned after the run's grace.
        using var watchdog = new AttemptWatchdog(spec.Timeout!.Value, StopGrace(spec), _time, _cancel.Token);
        var context = new TaskContext(this, spec.Id, attempt, logPath, watchdog.Token);
        var pending = StartAttempt(new TaskAttempt(spec, action, attempt, RunId, attemptStartedAt, context, inputs, ArtifactLimit), watchdog.Token, watchdog);
        return await AwaitAttemptAsync(spec, context, pending, watchdog).ConfigureAwait(false);
    }

    /// <summary>Hands the attempt to the executor; the attempt's context is also where it reports back.</summary>
    private ValueTask<ActionResult> StartAttempt(TaskAttempt attempt, CancellationToken token, AttemptWatchdog? watchdog)
    {
        try
        {
            return _executor.RunAsync(attempt, attempt.Context, token);
        }
        catch (Exception ex)
        {
            return new ValueTask<ActionResult>(ResultOf(ex, attempt.Context, watchdog));
        }
    }

    /// <summary>Waits for an attempt that did not finish synchronously (through the watchdog when it has a timeout).</summary>
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
                    // An action that promises to stop ends on its own, so the run's cancel grace does not apply to it.
                    var work = pending.AsTask();
                    var cancelGrace = spec.Action.StopsWithin is null ? _cancelGraceOver.Task : work;
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
                ? $"timed out after {Durations.Format(spec.Timeout!.Value)} and did not stop within {Durations.Format(StopGrace(spec))}; abandoned"
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

        var outputs = Outputs(result, context);
        if (TaskOutputs.CheckAll(outputs) is { } badOutputs)
        {
            // An executor's outputs come from elsewhere: what breaks the bounds is refused here, whoever sent it.
            outcome = outcome.CombineWithSubResult(Outcome.Errored);
            message = message is null ? badOutputs : $"{message}; {badOutputs}";
            outputs = TaskOutputs.None;
        }

        var artifacts = result.Artifacts;
        if (artifacts.Count > 0 && CheckArtifacts(artifacts) is { } badArtifacts)
        {
            // As with outputs: what an executor returns from elsewhere is checked here.
            outcome = outcome.CombineWithSubResult(Outcome.Errored);
            message = message is null ? badArtifacts : $"{message}; {badArtifacts}";
            artifacts = [];
        }

        var subResults = context.SubResults;
        var own = outcome;
        foreach (var sub in subResults) outcome = outcome.CombineWithSubResult(sub.Outcome);
        // The reason names what decided the outcome: a sub-result worse than the action's own result leads it.
        if (!outcome.IsSuccess() && (message is null || outcome != own) && DecisiveSubResult(subResults, outcome) is { } decisive)
            message = message is null ? decisive : $"{decisive}; {message}";
        return new AttemptOutcome(outcome, message, result.Value, result.ExitCode, subResults, context.WrittenLogPath, outputs)
        {
            Artifacts = outcome.IsSuccess() ? artifacts : [],
        };
    }

    /// <summary>The attempt's outputs: what the executor returned, and what C# code set on its context (which wins a clash).</summary>
    private static IReadOnlyDictionary<string, string> Outputs(ActionResult result, TaskContext context)
    {
        var returned = result.Outputs;
        if (context.SetOutputs is not { } set) return returned;
        lock (set)
        {
            if (returned.Count == 0) return new Dictionary<string, string>(set, StringComparer.Ordinal);
            var merged = new Dictionary<string, string>(returned, StringComparer.Ordinal);
            foreach (var (name, value) in set) merged[name] = value;
            return merged;
        }
    }

    /// <summary>The first sub-result as bad as the task's outcome — the one that decided it — described; null when none is.</summary>
    private static string? DecisiveSubResult(IReadOnlyList<SubResult> subResults, Outcome outcome)
    {
        foreach (var sub in subResults)
        {
            if (sub.Outcome == outcome)
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

    /// <remarks>One string per attempt (a journaled run asks for every attempt's): the full log directory has no trailing separator.</remarks>
    internal string LogPathFor(string taskId, int attempt) =>
        $"{_logDirectory}{Path.DirectorySeparatorChar}{FileNames.Escape(taskId)}.{attempt}.log";

    void IRunHost.ReportWaiting(string taskId, int attempt, string? reason)
    {
        if (_options.ReportStarts) _events.WriteAndFlush(new TaskWaiting(taskId, attempt, reason));
    }

    IReadOnlyDictionary<string, string> IRunHost.GetOutputs(string taskId, string askingTaskId)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue(taskId, out var node))
                throw new InvalidOperationException($"task '{askingTaskId}' reads the outputs of '{taskId}', which is not a task of this run");
            if (node.State != NodeState.Done || node.Result is not { } result)
                throw new InvalidOperationException($"task '{askingTaskId}' reads the outputs of '{taskId}', which has not finished; add it to '{askingTaskId}' needs");
            if (!result.Outcome.IsSuccess())
                throw new InvalidOperationException($"task '{askingTaskId}' reads the outputs of '{taskId}', which {result.Outcome.ToWireName()}");
            return result.Outputs;
        }
    }

    bool IRunHost.IsServiceCall(string taskId)
    {
        lock (_lock) return _nodes.TryGetValue(taskId, out var node) && node.Spec.Action is ServiceCallAction;
    }

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
