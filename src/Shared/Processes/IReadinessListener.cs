namespace Skein.Shared.Processes;

/// <summary>Something waiting for a file descriptor to become readable (a pipe with data or at its end, an exited pidfd).</summary>
internal interface IReadinessListener
{
    /// <summary>Called once per arming, on the watcher's thread: must only signal, never block.</summary>
    void OnReadable();
}
