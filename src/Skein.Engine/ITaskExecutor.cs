namespace Skein.Engine;

/// <summary>
/// Runs one attempt of a task and says how it ended. The scheduler decides what runs next and when; the executor
/// decides how and where: <see cref="InProcessExecutor"/> runs it in this process, and an executor for a cluster
/// runs it on a node. Set one with <see cref="RunOptions.Executor"/>.
/// </summary>
/// <remarks>
/// <para>The run keeps the policy: it starts the attempt, cancels the token when the attempt times out or the run is
/// cancelled, waits at most <see cref="ITaskAction.StopsWithin"/> (or <see cref="RunOptions.AbandonGrace"/>) after
/// that, records the outcome, and retries. An executor only runs.</para>
/// <para><see cref="RunAsync"/> must not block the calling thread on the attempt's work: return a pending task and
/// finish it when the attempt ends. It may be called for many attempts at once.</para>
/// </remarks>
public interface ITaskExecutor
{
    /// <summary>Runs the attempt to its end.</summary>
    /// <param name="attempt">Which task and attempt, with its timeout and deadline.</param>
    /// <param name="reporter">Where the attempt's output and named results go while it runs.</param>
    /// <param name="cancellationToken">Fires when the attempt times out or the run is cancelled: stop the attempt.</param>
    /// <returns>
    /// The attempt's result. Throwing counts as the task failing (an <see cref="OperationCanceledException"/> after the
    /// token fired, as timed out or cancelled).
    /// </returns>
    ValueTask<ActionResult> RunAsync(TaskAttempt attempt, IAttemptReporter reporter, CancellationToken cancellationToken);

    /// <summary>
    /// Checks, before the run starts, that this executor can run every task at all (a cluster executor: that some
    /// live node could ever take it). Errors refuse the run with a <see cref="JobValidationException"/>; nothing runs.
    /// </summary>
    /// <param name="tasks">The tasks the run will start (after <see cref="RunOptions.Only"/>).</param>
    ValueTask<IReadOnlyList<ValidationProblem>> CheckAsync(IReadOnlyList<TaskSpec> tasks, CancellationToken cancellationToken) =>
        new([]);
}
