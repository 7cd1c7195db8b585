using System.Collections.Concurrent;

namespace Skein.Cluster.Services.Codecs;

/// <summary>
/// Whether a type belongs to an unloadable module (or is built over one), which the codecs must not cache for good.
/// Asking the runtime costs a call into it (tens of nanoseconds) each time, too much for every argument of every call,
/// so the answer is remembered for the types that can never be unloaded — and only for those.
/// </summary>
internal static class CollectibleTypes
{
    private static readonly ConcurrentDictionary<Type, bool> Permanent = new();

    public static bool Contains(Type type)
    {
        if (Permanent.ContainsKey(type)) return false;
        if (type.IsCollectible) return true;
        Permanent.TryAdd(type, true);
        return false;
    }
}
