using Skein.Cluster.Internal;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Skein.Cluster.Events;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Membership;

/// <summary>
/// Who is in the cluster: nodes by name, with their state, last heartbeat, call address and the services
/// they host. A sweep on a <see cref="TimeProvider"/> timer declares lost the alive nodes whose heartbeats
/// stopped. Given an <see cref="EventBus"/>, it also publishes every change as <see cref="SystemEvents"/>
/// node and service events.
/// </summary>
public sealed partial class MembershipRegistry : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _byId = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _lostAfter;
    private readonly ILogger _logger;
    private readonly ITimer _sweep;
    private readonly MembershipMetrics _metrics;
    private readonly EventBus? _events;
    private readonly List<MembershipWatch> _watches = [];
    private readonly ChangeSignal _changed = new();
    private long _nextId;

    public MembershipRegistry(CoordinatorOptions options, TimeProvider time, ILogger<MembershipRegistry> logger, IMeterFactory? meterFactory = null, EventBus? events = null)
    {
        _events = events;
        _metrics = new MembershipMetrics(meterFactory, () => AliveCount);
        _time = time;
        _lostAfter = options.LostAfter;
        _logger = logger;
        // Sweep often enough that a silent node is declared lost at most a twelfth of lost-after late.
        var period = TimeSpan.FromTicks(Math.Max(options.LostAfter.Ticks / 12, TimeSpan.FromMilliseconds(10).Ticks));
        _sweep = time.CreateTimer(static state => ((MembershipRegistry)state!).Sweep(), this, period, period);
    }

    /// <summary>
    /// Admits a node with its services, or throws <see cref="NodeNameInUseException"/> when its name is alive already
    /// and <see cref="InvalidServiceListException"/> when its service list has a nameless or repeated service.
    /// </summary>
    public Member Register(NodeRegistration registration)
    {
        var services = ServiceList.Freeze(registration.Services);
        Member member;
        lock (_lock)
        {
            if (_byName.TryGetValue(registration.Name, out var existing))
            {
                if (existing.State == MemberState.Alive)
                {
                    LogNameRefused(registration.Name);
                    throw new NodeNameInUseException(registration.Name);
                }
                _byId.Remove(existing.NodeId);
            }
            var now = _time.GetUtcNow();
            var entry = new Entry($"n{++_nextId}", registration, now) { LastHeartbeat = now, Services = services };
            _byName[registration.Name] = entry;
            _byId[entry.NodeId] = entry;
            member = entry.Snapshot();
            Post(new MembershipChange(MembershipChangeKind.Joined, member));
        }
        _metrics.Joined();
        LogJoined(member.Name, member.NodeId, registration.Cores, registration.Hostname);
        PublishChange(SystemEvents.NodeJoined, member.Name, member.NodeId, MemberState.Alive);
        PublishServices(SystemEvents.ServiceAdded, member, services, except: []);
        SignalChange();
        return member;
    }

    /// <summary>
    /// Replaces an alive node's services (it loaded or unloaded a module); false when the node is not alive.
    /// Publishes service.added and service.removed for the names that came and went.
    /// </summary>
    /// <exception cref="InvalidServiceListException">A service has no name, or two share one.</exception>
    public bool ReplaceServices(string nodeId, IEnumerable<ServiceDescription> services)
    {
        var next = ServiceList.Freeze(services);
        Member member;
        IReadOnlyList<ServiceDescription> previous;
        lock (_lock)
        {
            if (!_byId.TryGetValue(nodeId, out var entry) || entry.State != MemberState.Alive) return false;
            previous = entry.Services;
            if (ServiceList.Same(previous, next)) return true;
            entry.Services = next;
            member = entry.Snapshot();
            Post(new MembershipChange(MembershipChangeKind.ServicesChanged, member));
        }
        LogServicesChanged(member.Name, next.Length);
        PublishServices(SystemEvents.ServiceRemoved, member, previous, except: next);
        PublishServices(SystemEvents.ServiceAdded, member, next, except: previous);
        SignalChange();
        return true;
    }

    /// <summary>Records a heartbeat; false when the node is not alive (it was declared lost meanwhile).</summary>
    public bool Heartbeat(string nodeId)
    {
        lock (_lock)
        {
            if (!_byId.TryGetValue(nodeId, out var entry) || entry.State != MemberState.Alive) return false;
            entry.LastHeartbeat = _time.GetUtcNow();
            return true;
        }
    }

    public void Leave(string nodeId, string reason)
    {
        reason = reason.Length > 0 ? reason : "no reason given";
        if (TryMove(nodeId, MemberState.Left, reason) is not { } member) return;
        _metrics.Left();
        LogLeft(member.Name, reason);
        PublishChange(SystemEvents.NodeLeft, member.Name, nodeId, MemberState.Left);
        PublishServices(SystemEvents.ServiceRemoved, member, member.Services, except: []);
    }

    /// <summary>The node's session ended without a goodbye: it is lost at once, not at its next missed heartbeat.</summary>
    public void SessionBroken(string nodeId)
    {
        const string reason = "its session broke";
        if (TryMove(nodeId, MemberState.Lost, reason) is not { } member) return;
        _metrics.Lost();
        LogLost(member.Name, reason);
        PublishChange(SystemEvents.NodeLost, member.Name, nodeId, MemberState.Lost);
        PublishServices(SystemEvents.ServiceRemoved, member, member.Services, except: []);
    }

    public IReadOnlyList<Member> List()
    {
        lock (_lock)
        {
            var members = new List<Member>(_byName.Count);
            foreach (var entry in _byName.Values) members.Add(entry.Snapshot());
            members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            return members;
        }
    }

    public int AliveCount
    {
        get
        {
            lock (_lock)
            {
                var count = 0;
                foreach (var entry in _byName.Values) if (entry.State == MemberState.Alive) count++;
                return count;
            }
        }
    }

    /// <summary>
    /// Starts watching: the alive members now, then every change, in order. Dispose to stop; at most
    /// <paramref name="capacity"/> changes wait unread before the watch is cut off as fallen behind.
    /// </summary>
    internal MembershipWatch Watch(int capacity = 1024)
    {
        lock (_lock)
        {
            var alive = new List<Member>(_byName.Count);
            foreach (var entry in _byName.Values) if (entry.State == MemberState.Alive) alive.Add(entry.Snapshot());
            alive.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            var watch = new MembershipWatch(alive, capacity, Unwatch);
            _watches.Add(watch);
            return watch;
        }
    }

    private void Unwatch(MembershipWatch watch)
    {
        lock (_lock) _watches.Remove(watch);
    }

    // Under the lock, so every watcher sees changes in the order they were made and none between its snapshot and its first change.
    private void Post(MembershipChange change)
    {
        foreach (var watch in _watches) watch.Post(change);
    }

    /// <summary>Completes once at least <paramref name="count"/> nodes are alive.</summary>
    public async Task WaitForAliveAsync(int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            changed = _changed.Next;
            if (AliveCount >= count) return;
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Completes once <paramref name="condition"/> holds for the members as <see cref="List"/> gives them; checked now
    /// and after every change, never by polling.
    /// </summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<Member>, bool> condition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(condition);
        while (true)
        {
            Task changed;
            changed = _changed.Next;
            if (condition(List())) return;
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal void Sweep()
    {
        List<Member>? lost = null;
        string? reason = null;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var entry in _byName.Values)
            {
                if (entry.State != MemberState.Alive || now - entry.LastHeartbeat < _lostAfter) continue;
                entry.State = MemberState.Lost;
                var member = entry.Snapshot();
                reason ??= $"no heartbeat for {_lostAfter.TotalSeconds:0.###} s";
                Post(new MembershipChange(MembershipChangeKind.Lost, member, reason));
                (lost ??= []).Add(member);
            }
        }
        if (lost is null) return;
        foreach (var member in lost)
        {
            _metrics.Lost();
            LogLost(member.Name, reason!);
            PublishChange(SystemEvents.NodeLost, member.Name, member.NodeId, MemberState.Lost);
            PublishServices(SystemEvents.ServiceRemoved, member, member.Services, except: []);
        }
        SignalChange();
    }

    private Member? TryMove(string nodeId, MemberState state, string reason)
    {
        Member member;
        lock (_lock)
        {
            if (!_byId.TryGetValue(nodeId, out var entry) || entry.State != MemberState.Alive) return null;
            entry.State = state;
            member = entry.Snapshot();
            Post(new MembershipChange(state == MemberState.Left ? MembershipChangeKind.Left : MembershipChangeKind.Lost, member, reason));
        }
        SignalChange();
        return member;
    }

    // Called outside the lock, after the log line, so a subscriber never sees an event before the change is visible in List().
    private void PublishChange(string subject, string name, string nodeId, MemberState state) =>
        _events?.Publish(subject, MemberEventPayload.Encode(name, nodeId, state));

    private void PublishServices(string subject, Member member, IReadOnlyList<ServiceDescription> services, IReadOnlyList<ServiceDescription> except)
    {
        if (_events is null) return;
        foreach (var service in services)
            if (!ServiceList.Contains(except, service.Name))
                _events.Publish(subject, ServiceEventPayload.Encode(service.Name, member.Name, member.NodeId));
    }

    private void SignalChange() => _changed.Signal();

    public void Dispose()
    {
        MembershipWatch[] watches;
        lock (_lock) watches = [.. _watches];
        foreach (var watch in watches) watch.End();
        _sweep.Dispose();
        _metrics.Dispose();
    }

    private sealed class Entry(string nodeId, NodeRegistration registration, DateTimeOffset joined)
    {
        public string NodeId { get; } = nodeId;
        public NodeRegistration Registration { get; } = registration;
        public DateTimeOffset Joined { get; } = joined;
        public MemberState State { get; set; } = MemberState.Alive;
        public DateTimeOffset LastHeartbeat { get; set; }
        public IReadOnlyList<ServiceDescription> Services { get; set; } = [];

        public Member Snapshot() => new(NodeId, Registration, State, Joined, LastHeartbeat) { Services = Services };
    }
}
