using Skein.Cluster.Protocol;
using Skein.Cluster.Membership;
using Skein.Cluster.Services;

namespace Skein.Cluster.Client;

/// <summary>
/// The routing table behind <see cref="ServiceDirectory"/>: alive nodes by id, applied from Watch messages, and the
/// services they host indexed by name. Writers (the watch loop, the grace timer) rebuild the index under a lock and
/// publish it whole, so <see cref="Resolve"/> reads without locking or allocating.
/// </summary>
internal sealed class ServiceRoutes : IDisposable
{
    private static readonly Dictionary<string, ServiceLocation[]> Empty = new(StringComparer.Ordinal);

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly Action<NodeGoneEventArgs> _gone;
    // Nodes the coordinator reports alive, by node id.
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    // Nodes that were alive before a resync and are missing from its snapshot, by name: routable until their grace runs out.
    private readonly Dictionary<string, (Node Node, DateTimeOffset Until)> _carried = new(StringComparer.Ordinal);
    private Dictionary<string, ServiceLocation[]> _byService = Empty;
    private TaskCompletionSource _changed = NewSignal();
    private ITimer? _graceTimer;
    private bool _synced;

    public ServiceRoutes(TimeProvider time, Action<NodeGoneEventArgs> gone)
    {
        _time = time;
        _gone = gone;
    }

    public IReadOnlyList<ServiceLocation> Resolve(string service) =>
        Volatile.Read(ref _byService).TryGetValue(service, out var hosts) ? hosts : [];

    public IReadOnlyCollection<string> Services => Volatile.Read(ref _byService).Keys;

    /// <summary>Replaces the view with a snapshot. Nodes it lacks are carried for <see cref="ServiceDirectory.RejoinGrace"/> after the first.</summary>
    public void ApplySnapshot(WatchSnapshot snapshot)
    {
        List<NodeGoneEventArgs>? gone = null;
        lock (_lock)
        {
            var fresh = new Dictionary<string, Node>(StringComparer.Ordinal); // by name: ids are not kept across coordinator restarts
            foreach (var message in snapshot.Nodes)
            {
                var node = new Node(message);
                fresh[node.Name] = node;
            }
            if (_synced)
            {
                var until = _time.GetUtcNow() + ServiceDirectory.RejoinGrace;
                foreach (var old in _nodes.Values)
                {
                    if (!fresh.TryGetValue(old.Name, out var now)) _carried[old.Name] = (old, until);
                    else if (now.Address != old.Address) Replaced(old, now, ref gone);
                    // Otherwise the same process: the coordinator kept it, or it registered again under a new id.
                }
                _graceTimer ??= _time.CreateTimer(static s => ((ServiceRoutes)s!).ExpireCarried(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _graceTimer.Change(ServiceDirectory.RejoinGrace, Timeout.InfiniteTimeSpan);
            }
            _nodes.Clear();
            foreach (var node in fresh.Values)
            {
                _nodes[node.Id] = node;
                Uncarry(node, ref gone);
            }
            _synced = true;
            Publish();
        }
        Raise(gone);
    }

    public void Apply(WatchEvent message)
    {
        List<NodeGoneEventArgs>? gone = null;
        lock (_lock)
        {
            switch (message.BodyCase)
            {
                case WatchEvent.BodyOneofCase.NodeJoined:
                case WatchEvent.BodyOneofCase.ServicesChanged:
                    var node = new Node(message.BodyCase == WatchEvent.BodyOneofCase.NodeJoined ? message.NodeJoined : message.ServicesChanged);
                    _nodes[node.Id] = node;
                    Uncarry(node, ref gone);
                    break;
                case WatchEvent.BodyOneofCase.NodeLost:
                case WatchEvent.BodyOneofCase.NodeLeft:
                    var lost = message.BodyCase == WatchEvent.BodyOneofCase.NodeLost;
                    var departed = lost ? message.NodeLost : message.NodeLeft;
                    if (_nodes.Remove(departed.NodeId, out var removed))
                        (gone ??= []).Add(new NodeGoneEventArgs(removed.Id, removed.Name, lost, departed.Reason));
                    break;
                default:
                    return; // a kind this client does not know yet: newer coordinators may add some
            }
            Publish();
        }
        Raise(gone);
    }

    /// <summary>Completes once <paramref name="condition"/> holds; checked now and after every change.</summary>
    public async Task WaitUntilAsync(Func<ServiceRoutes, bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock) changed = _changed.Task;
            if (condition(this)) return;
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Lets waiters check their condition again when something besides the routes changed (the connection).</summary>
    public void WakeWaiters()
    {
        lock (_lock) Signal();
    }

    // A node back under its name replaces the carried one; if it serves elsewhere now, the old process is gone for good.
    private void Uncarry(Node node, ref List<NodeGoneEventArgs>? gone)
    {
        if (_carried.Remove(node.Name, out var carried) && carried.Node.Address != node.Address) Replaced(carried.Node, node, ref gone);
    }

    private static void Replaced(Node old, Node now, ref List<NodeGoneEventArgs>? gone) =>
        (gone ??= []).Add(new NodeGoneEventArgs(old.Id, old.Name, lost: true, $"registered again, serving at {now.Address}"));

    private void ExpireCarried()
    {
        List<NodeGoneEventArgs>? gone = null;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var (name, carried) in _carried)
            {
                if (carried.Until > now) continue;
                (gone ??= []).Add(new NodeGoneEventArgs(carried.Node.Id, name, lost: true,
                    $"not back in the cluster {ServiceDirectory.RejoinGrace.TotalSeconds:0} s after the watch reconnected"));
            }
            if (gone is null) return;
            foreach (var g in gone) _carried.Remove(g.NodeName);
            Publish();
        }
        Raise(gone);
    }

    // Under the lock: rebuilds the index from the nodes and the carried ones, then wakes the waiters.
    private void Publish()
    {
        var lists = new Dictionary<string, List<ServiceLocation>>(StringComparer.Ordinal);
        foreach (var node in _nodes.Values) Add(lists, node);
        foreach (var (carried, _) in _carried.Values) Add(lists, carried);
        var index = new Dictionary<string, ServiceLocation[]>(lists.Count, StringComparer.Ordinal);
        foreach (var (service, hosts) in lists)
        {
            hosts.Sort(static (a, b) => string.CompareOrdinal(a.NodeName, b.NodeName));
            index[service] = [.. hosts];
        }
        Volatile.Write(ref _byService, index);
        Signal();
    }

    private void Signal()
    {
        var previous = _changed;
        _changed = NewSignal();
        previous.TrySetResult();
    }

    private static void Add(Dictionary<string, List<ServiceLocation>> lists, Node node)
    {
        foreach (var host in node.Hosts)
        {
            if (!lists.TryGetValue(host.Service, out var list)) lists.Add(host.Service, list = []);
            list.Add(host);
        }
    }

    private void Raise(List<NodeGoneEventArgs>? gone)
    {
        if (gone is null) return;
        foreach (var g in gone) _gone(g);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        lock (_lock) _graceTimer?.Dispose();
    }

    private sealed class Node
    {
        public Node(WatchedNode node)
        {
            Id = node.NodeId;
            Name = node.Name;
            Address = node.Address;
            var hosts = new ServiceLocation[node.Services.Count];
            for (var i = 0; i < hosts.Length; i++) hosts[i] = new ServiceLocation(node.NodeId, node.Name, node.Address, node.Services[i].FromWire());
            Hosts = hosts;
        }

        public string Id { get; }
        public string Name { get; }
        public string Address { get; }
        public ServiceLocation[] Hosts { get; }
    }
}
