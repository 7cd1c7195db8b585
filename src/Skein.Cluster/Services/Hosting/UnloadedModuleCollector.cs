using Skein.Modules;

namespace Skein.Cluster.Services.Hosting;

/// <summary>
/// Runs one full, blocking, compacting collection once assembly modules stop being unloaded, so that a node frees the
/// memory of the modules it dropped.
/// </summary>
/// <remarks>
/// Unloading a collectible load context only makes it collectable: the runtime frees the context, its assemblies and
/// their code at later full collections, and a node that sits idle after an unload may not run one for a long time, so
/// the memory stays with the process and grows with every module loaded and unloaded after (bench/RESULTS.md, Modules).
/// The runtime keeps some of what is freed for reuse rather than giving it back, so RSS does not return all the way
/// to where it was before the modules were loaded.
/// <para>
/// A full collection costs a pause of the whole node, so unloads are coalesced: each one postpones the collection
/// until <see cref="QuietPeriod"/> has passed without another, and a steady stream of unloads still gets one every
/// <see cref="LongestWait"/>. One collector serves the process, since a collection is process-wide.
/// </para>
/// </remarks>
internal sealed class UnloadedModuleCollector : IDisposable
{
    /// <summary>How long unloads must stop arriving before the collection runs.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(1);

    /// <summary>The longest a pending collection waits while unloads keep arriving.</summary>
    public static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(10);

    // A context goes in stages: a collection finds it unreachable and queues its finalizers, they run, and a later
    // collection frees what they released. A few rounds cover that; more find nothing left to free.
    private const int Rounds = 3;

    /// <summary>The node's collector, with the runtime's clock and its garbage collector.</summary>
    public static UnloadedModuleCollector Shared { get; } = new(TimeProvider.System, CollectUnloadedContexts);

    private readonly TimeProvider _time;
    private readonly Action _collect;
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private bool _pending;
    private long _firstPending; // timestamp of the oldest unload not yet collected
    private long _collections;

    /// <param name="collect">What a collection does (a full collection; a counter in tests).</param>
    public UnloadedModuleCollector(TimeProvider time, Action collect)
    {
        _time = time;
        _collect = collect;
        _timer = time.CreateTimer(static state => ((UnloadedModuleCollector)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Collections run so far.</summary>
    public long Collections => Interlocked.Read(ref _collections);

    /// <summary>Tells the collector that <paramref name="module"/> was unloaded; only assembly modules leave anything to collect.</summary>
    public static void AfterUnload(LoadedModule module)
    {
        if (module is AssemblyModule) Shared.Request();
    }

    /// <summary>Asks for a collection once unloads stop arriving (see the remarks of the class).</summary>
    public void Request()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (!_pending) (_pending, _firstPending) = (true, now);
            var left = LongestWait - _time.GetElapsedTime(_firstPending, now);
            _timer.Change(left < QuietPeriod ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : QuietPeriod, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            if (!_pending) return;
            _pending = false;
        }
        // Outside the lock: unloads arriving meanwhile ask for the next collection instead of waiting for this one.
        _collect();
        Interlocked.Increment(ref _collections);
    }

    private static void CollectUnloadedContexts()
    {
        for (var round = 0; round < Rounds; round++)
        {
            // Aggressive: blocking and compacting, and the runtime also gives the freed memory back to the system
            // rather than keeping it for later allocations, which is the point here.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
    }

    public void Dispose() => _timer.Dispose();
}
