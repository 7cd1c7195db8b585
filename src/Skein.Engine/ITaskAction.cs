namespace Skein.Engine;

/// <summary>What a task does. Implementations must honour the token: it fires on timeout and on cancellation.</summary>
public interface ITaskAction
{
    ValueTask<ActionResult> ExecuteAsync(TaskContext context, CancellationToken cancellationToken);

    /// <summary>
    /// A stable text that changes whenever the action would do something different: part of the task's
    /// definition hash, which --resume compares to decide whether a passed task must run again.
    /// </summary>
    string Fingerprint { get; }
}
