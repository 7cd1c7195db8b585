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

    /// <summary>
    /// The longest the action takes to end once its token fires, when it can promise to end on its own (a command
    /// is killed). Null, the default, for code that may ignore its token: the run then waits
    /// <see cref="RunOptions.AbandonGrace"/> before it abandons the attempt.
    /// </summary>
    TimeSpan? StopsWithin => null;
}
