using Microsoft.Extensions.Hosting;

namespace Skein.Cluster.Internal;

/// <summary>
/// Replaces the console lifetime so Ctrl+C and SIGTERM do not stop the coordinator behind its owner's back:
/// the owner (skein coordinator, skein up) decides the order — nodes first, then the coordinator.
/// </summary>
internal sealed class OwnerControlledLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
