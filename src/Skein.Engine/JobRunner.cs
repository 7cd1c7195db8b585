using System.Runtime.CompilerServices;

namespace Skein.Engine;

/// <summary>The simplest way to run a job: results stream out as tasks finish.</summary>
public static class JobRunner
{
    /// <summary>
    /// Runs the job and yields each task's result as it finishes. Stopping early (disposing the enumerator)
    /// cancels the run: running tasks are cancelled and nothing new starts.
    /// </summary>
    /// <exception cref="JobValidationException">The job is invalid; nothing ran.</exception>
    public static async IAsyncEnumerable<TaskResult> RunAsync(Job job, RunOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var run = await JobRun.StartAsync(job, options, cancellationToken).ConfigureAwait(false);
        await foreach (var e in run.ReadEventsAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (e is TaskFinished finished) yield return finished.Result;
        }
        await run.Completion.ConfigureAwait(false);
    }
}
