using Skein.Engine;

namespace Skein.Cli.Reporting;

/// <summary>Shows a run's progress while it goes and collects its results.</summary>
internal interface IRunProgress
{
    /// <returns>Every task's result, in the order they finished.</returns>
    Task<List<TaskResult>> FollowAsync(JobRun run, CancellationToken cancellationToken);
}
