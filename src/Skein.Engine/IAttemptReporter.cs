namespace Skein.Engine;

/// <summary>
/// How an executor tells the run what an attempt produced while it runs: its output and its named results. The
/// attempt's outcome itself is what <see cref="ITaskExecutor.RunAsync"/> returns.
/// </summary>
/// <remarks>
/// The run owns the log and the results: an executor that runs the attempt in another process or on another
/// machine appends the output it receives to <see cref="LogPath"/> and passes each result to <see cref="Report"/>,
/// exactly as a command run here does.
/// </remarks>
public interface IAttemptReporter
{
    /// <summary>Where the attempt's output goes, on the run's side. The file exists only once something was written.</summary>
    string LogPath { get; }

    /// <summary>A named result under the attempt; the attempt's outcome becomes the worst of its own and these.</summary>
    void Report(string name, Outcome outcome, string? message = null);

    /// <summary>
    /// The attempt waits for room before it can run, and why (<c>waiting for room: needs 2 cores; node-1 has 0 of 2
    /// free</c>); null once it has room and runs. The run tells it as a <see cref="TaskWaiting"/> event.
    /// </summary>
    void ReportWaiting(string? reason)
    {
    }
}
