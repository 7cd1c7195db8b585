using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Skein.Cluster.Events;

namespace Skein.Cluster.Membership;

/// <summary>
/// Who is in the cluster: nodes by name, with their state and last heartbeat. A sweep on a
/// <see cref="TimeProvider"/> timer declares lost the alive nodes whose heartbeats stopped.
/// Given an <see cref="EventBus"/>, it also publishes every change as a <see cref="SystemEvents"/> node event.
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
    private TaskCompletionSource _changed = NewSignal();
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

    /// <summary>Admits a node, or throws <see cref="NodeNameInUseException"/> when its name is alive already.</summary>
    public Member Register(NodeRegistration registration)
    {
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
            var entry = new Entry($"n{++_nextId}", registration, now) { LastHeartbeat = now };
            _byName[registration.Name] = entry;
            _byId[entry.NodeId] = entry;
            member = entry.Snapshot();
        }
        _metrics.Joined();
        LogJoined(member.Name, member.NodeId, registration.Cores, registration.Hostname);
        PublishChange(SystemEvents.NodeJoined, member.Name, member.NodeId, MemberState.Alive);
        SignalChange();
        return member;
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
        if (TryMove(nodeId, MemberState.Left) is not { } name) return;
        _metrics.Left();
        LogLeft(name, reason.Length > 0 ? reason : "no reason given");
        PublishChange(SystemEvents.NodeLeft, name, nodeId, MemberState.Left);
    }

    /// <summary>The node's session ended without a goodbye: it is lost at once, not at its next missed heartbeat.</summary>
    public void SessionBroken(string nodeId)
    {
        if (TryMove(nodeId, MemberState.Lost) is not { } name) return;
        _metrics.Lost();
        LogLost(name, "its session broke");
        PublishChange(SystemEvents.NodeLost, name, nodeId, MemberState.Lost);
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

    /// <summary>Completes once at least <paramref name="count"/> nodes are alive.</summary>
    public async Task WaitForAliveAsync(int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock) changed = _changed.Task;
            if (AliveCount >= count) return;
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal void Sweep()
    {
        List<(string Name, string NodeId)>? lost = null;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var entry in _byName.Values)
            {
                if (entry.State != MemberState.Alive || now - entry.LastHeartbeat < _lostAfter) continue;
                entry.State = MemberState.Lost;
                (lost ??= []).Add((entry.Registration.Name, entry.NodeId));
            }
        }
        if (lost is null) return;
        foreach (var (name, nodeId) in lost)
        {
            _metrics.Lost();
            LogLost(name, $"no heartbeat for {_lostAfter.TotalSeconds:0.###} s");
            PublishChange(SystemEvents.NodeLost, name, nodeId, MemberState.Lost);
        }
        SignalChange();
    }

    private string? TryMove(string nodeId, MemberState state)
    {
        string name;
        lock (_lock)
        {
            if (!_byId.TryGetValue(nodeId, out var entry) || entry.State != MemberState.Alive) return null;
            entry.State = state;
            name = entry.Registration.Name;
        }
        SignalChange();
        return name;
    }

    // Called outside the lock, after the log line, so a subscriber never sees an event before the change is visible in List().
    private void PublishChange(string subject, string name, string nodeId, MemberState state) =>
        _events?.Publish(subject, MemberEventPayload.Encode(name, nodeId, state));

    private void SignalChange()
    {
        TaskCompletionSource previous;
        lock (_lock)
        {
            previous = _changed;
            _changed = NewSignal();
        }
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
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

        public Member Snapshot() => new(NodeId, Registration, State, Joined, LastHeartbeat);
    }
}
