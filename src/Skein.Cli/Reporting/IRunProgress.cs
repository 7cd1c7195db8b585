using Skein.Engine;

namespace Skein.Cli.Reporting;

/// <summary>Shows a run's progress while it goes and collects its results.</summary>
internal interface IRunProgress
{
    /// <param name="events">The run's events, in order: from a run in this process, or rebuilt from a cluster's.</param>
    /// <param name="taskCount">How many tasks the run holds so far (tasks added while running count too).</param>
    /// <returns>Every task's result, in the order they finished.</returns>
    Task<List<TaskResult>> FollowAsync(IAsyncEnumerable<RunEvent> events, Func<int> taskCount, CancellationToken cancellationToken);
}
