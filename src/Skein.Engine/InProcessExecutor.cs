
namespace Skein.Engine;

/// <summary>Runs attempts in this process: the task's action is called with its <see cref="TaskContext"/>. The default executor.</summary>
public sealed class InProcessExecutor : ITaskExecutor
{
    public static InProcessExecutor Instance { get; } = new();

    public ValueTask<ActionResult> RunAsync(TaskAttempt attempt, IAttemptReporter reporter, CancellationToken cancellationToken)
    {
        if (attempt.Task is null) throw new ArgumentException("The attempt was not made by a run.", nameof(attempt));
        var action = attempt.Action;
        var context = attempt.Context;
        // A command that receives or hands on artifacts gets them placed first and collected after, in the run's store.
        if (action is CommandAction command && LocalArtifacts.Apply(attempt))
        {
            var run = attempt;
            if (attempt.Timeout is null) return LocalArtifacts.RunAsync(run, command, context, context.RunArtifacts, cancellationToken);
            return new ValueTask<ActionResult>(Task.Run(() => LocalArtifacts.RunAsync(run, command, context, context.RunArtifacts, cancellationToken).AsTask(), CancellationToken.None));
        }
        // Most attempts have no timeout and most C# bodies finish synchronously: calling the action on this thread
        // spares them a thread hand-over. One with a timeout starts off this thread, since a synchronous body that
        // blocks and ignores its token would otherwise hold the caller, where the timeout could never abandon it.
        if (attempt.Timeout is null) return action.ExecuteAsync(context, cancellationToken);
        return new ValueTask<ActionResult>(Task.Run(() => action.ExecuteAsync(context, cancellationToken).AsTask(), CancellationToken.None));
    }

    /// <summary>Refuses tasks that only a cluster can run (service calls).</summary>
    public ValueTask<IReadOnlyList<ValidationProblem>> CheckAsync(IReadOnlyList<TaskSpec> tasks, CancellationToken cancellationToken)
    {
        List<ValidationProblem>? problems = null;
        foreach (var task in tasks)
        {
            if (task.Action is ServiceCallAction call)
                (problems ??= []).Add(ValidationProblem.Error(call.NeedsClusterMessage(task.Id), task.Source?.LocationOf("call")));
        }
        return new((IReadOnlyList<ValidationProblem>?)problems ?? []);
    }
}
