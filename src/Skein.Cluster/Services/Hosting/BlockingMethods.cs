using System.Collections.Concurrent;

namespace Skein.Cluster.Services.Hosting;

/// <summary>
/// Remembers the methods whose handlers did more than <see cref="Threshold"/> of work before their first await.
/// Such a handler would hold up every other call on the stream it was read from, so it is served on the thread
/// pool instead, for good.
/// </summary>
internal sealed class BlockingMethods
{
    public static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(1);

    private readonly ConcurrentDictionary<(string Service, string Method), bool> _blocking = new();

    public bool IsBlocking(string service, string method) => !_blocking.IsEmpty && _blocking.ContainsKey((service, method));

    public void Observe(string service, string method, TimeSpan synchronousPart)
    {
        if (synchronousPart > Threshold) _blocking.TryAdd((service, method), true);
    }
}
