using System.Collections.Concurrent;

namespace Skein.Cluster.Services.Hosting;

/// <summary>
/// Reuses the cancellation sources of finished calls (those that were never cancelled), so serving a call does not
/// allocate one.
/// </summary>
internal sealed class TokenSourcePool
{
    private const int MaxKept = 256;
    private readonly ConcurrentQueue<CancellationTokenSource> _free = new();

    public CancellationTokenSource Rent() => _free.TryDequeue(out var source) ? source : new CancellationTokenSource();

    public void Return(CancellationTokenSource source)
    {
        // TryReset fails for a cancelled source and stops a pending CancelAfter timer otherwise.
        if (_free.Count < MaxKept && source.TryReset()) _free.Enqueue(source);
        else source.Dispose();
    }
}
