using Skein.Bench.Rpc.Load;

namespace Skein.Bench.Rpc.Targets;

/// <summary>
/// A system under test, running: its server (in a child process) and a client connected to it in this process.
/// Disposing it stops both.
/// </summary>
public interface IEchoDeployment : IAsyncDisposable
{
    /// <summary>
    /// The target caller number <paramref name="caller"/> (0-based) calls through. Asked for before a level's warm-up,
    /// so connecting, creating proxies and activating server objects are never in the measured window. Callers may
    /// share one target (one channel) or get their own (a proxy or grain each), as the system is normally used.
    /// </summary>
    ValueTask<IEchoTarget> CreateTargetAsync(int caller, CancellationToken cancellationToken);
}
