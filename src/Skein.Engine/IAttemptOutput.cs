namespace Skein.Engine;

/// <summary>
/// A reporter that takes a command's output as it comes instead of having it written to
/// <see cref="IAttemptReporter.LogPath"/>: what a node uses to stream an attempt's output back while it runs.
/// </summary>
public interface IAttemptOutput : IAttemptReporter
{
    /// <summary>Whole lines of stdout or stderr (a very long line comes in pieces), in the order they were printed.</summary>
    /// <remarks>Called under the command's output lock: return quickly (queue it), never block on the network.</remarks>
    void Write(string text);
}
