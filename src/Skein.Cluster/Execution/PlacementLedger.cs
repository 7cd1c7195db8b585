using Skein.Cluster.Internal;
using Skein.Shared.Text;
using Microsoft.Extensions.Logging;
using Skein.Cluster.Membership;
using Skein.Engine;

namespace Skein.Cluster.Execution;

/// <summary>
/// The coordinator's account of the room that running attempts hold on each node, cluster-wide: every executor (any
/// run, any client) asks here before it starts an attempt on a node. One lock, one ledger: two holders can never be
/// granted the same room. A grant ends when its holder releases it (its Hold call ended, or its connection broke) or
/// when its node is lost or leaves, which revokes it; a node that comes back under the same name is a new node with
/// all its room free.
/// </summary>
internal sealed partial class PlacementLedger : IDisposable
{
    private readonly Lock _lock = new();
    private readonly MembershipRegistry _members;
    private readonly ILogger _logger;
    private readonly Dictionary<string, NodeRoom> _rooms = new(StringComparer.Ordinal);
    // Nodes whose room was revoked: a node id is never reused, so one seen gone never gets room again, even when a
    // grant races the news of its loss.
    private readonly HashSet<string> _gone = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;
    private readonly ChangeSignal _changed = new();
    private long _nextGrant;

    public PlacementLedger(MembershipRegistry members, ILogger<PlacementLedger> logger)
    {
        _members = members;
        _logger = logger;
        _watching = WatchAsync(_stop.Token);
    }

    /// <summary>Completes at the next change that may make room: a release, a revocation, a node joining.</summary>
    public Task Changed => _changed.Next;

    /// <summary>Why no live node could ever take <paramref name="need"/>, or null when one could (room or not).</summary>
    public string? WhyNever(PlacementNeed need) => WhyNever(need, AliveMembers(), out _);

    /// <inheritdoc cref="WhyNever(PlacementNeed)"/>
    /// <param name="key">The task key at fault: <c>on</c> when no node matches, else <c>resources</c>.</param>
    public string? WhyNever(PlacementNeed need, out string key) => WhyNever(need, AliveMembers(), out key);

    internal static string? WhyNever(PlacementNeed need, IReadOnlyList<Member> alive) => WhyNever(need, alive, out _);

    internal static string? WhyNever(PlacementNeed need, IReadOnlyList<Member> alive, out string key)
    {
        key = "on";
        if (alive.Count == 0) return $"task '{need.Task}' needs a node, but no node is alive in the cluster";
        var matching = new List<Member>(alive.Count);
        foreach (var member in alive) if (Matches(need, member)) matching.Add(member);
        if (matching.Count == 0) return $"task '{need.Task}' {NoMatch(need, alive)}";
        key = "resources";
        var largest = matching.MaxBy(m => m.Registration.OfferedSlots)!;
        if (largest.Registration.OfferedSlots < need.Cores)
            return $"task '{need.Task}' needs {PlacementNeed.Plural(need.Cores, "core")}; the largest {(matching.Count < alive.Count ? "matching " : "")}node ({largest.Name}) has {largest.Registration.OfferedSlots}";
        if (need.MemoryBytes > 0)
        {
            var roomy = matching.Where(m => m.Registration.OfferedSlots >= need.Cores).MaxBy(m => m.Registration.MemoryBytes)!;
            if (roomy.Registration.MemoryBytes < need.MemoryBytes)
                return $"task '{need.Task}' needs {ByteSize.Format(need.MemoryBytes)} of memory; the largest node with {PlacementNeed.Plural(need.Cores, "core")} ({roomy.Name}) has {ByteSize.Format(roomy.Registration.MemoryBytes)}";
        }
        return null;
    }

    private static string NoMatch(PlacementNeed need, IReadOnlyList<Member> alive)
    {
        var names = string.Join(", ", alive.Select(m => m.Name));
        if (need.Node is { } node && !alive.Any(m => m.Name == node)) return $"must run on node '{node}', but no live node has that name (live: {names})";
        if (need.Host is { } host && !alive.Any(m => HostMatches(host, m)))
            return $"must run on host '{host}', but no live node runs there (hosts: {string.Join(", ", alive.Select(m => m.Registration.Hostname).Distinct())})";
        foreach (var (key, value) in need.Labels)
        {
            if (!alive.Any(m => m.Registration.Labels.TryGetValue(key, out var has) && has == value))
                return $"needs a node labelled {key}={value}, but no live node is (live: {names})";
        }
        return $"needs a node that is {Describe(need)} at once, but no live node is all of it (live: {names})";
    }

    private static string Describe(PlacementNeed need)
    {
        var parts = new List<string>();
        if (need.Node is { } node) parts.Add($"named {node}");
        if (need.Host is { } host) parts.Add($"on host {host}");
        foreach (var (key, value) in need.Labels) parts.Add($"labelled {key}={value}");
        return string.Join(", ", parts);
    }

    internal static bool Matches(PlacementNeed need, Member member)
    {
        if (need.Node is { } node && member.Name != node) return false;
        if (need.Host is { } host && !HostMatches(host, member)) return false;
        foreach (var (key, value) in need.Labels)
        {
            if (!member.Registration.Labels.TryGetValue(key, out var has) || has != value) return false;
        }
        return true;
    }

    // Host names compare without case, and a short name matches its fully qualified form.
    private static bool HostMatches(string host, Member member)
    {
        var actual = member.Registration.Hostname;
        if (string.Equals(actual, host, StringComparison.OrdinalIgnoreCase)) return true;
        var dot = actual.IndexOf('.');
        return dot > 0 && string.Equals(actual[..dot], host, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Grants room on the least loaded live node that matches and has it; else null, with what the attempt waits for.
    /// </summary>
    public Grant? TryAcquire(PlacementNeed need, string holder, out string waitReason)
    {
        var alive = AliveMembers();
        lock (_lock)
        {
            Member? best = null;
            var bestLoad = double.MaxValue;
            var bestHeld = -1;
            var matching = 0;
            foreach (var member in alive)
            {
                if (!Matches(need, member) || _gone.Contains(member.NodeId)) continue;
                matching++;
                var room = RoomOf(member);
                if (room.FreeCores < need.Cores || (need.MemoryBytes > 0 && room.FreeMemory < need.MemoryBytes)) continue;
                var load = (double)room.UsedCores / room.Slots;
                // The least loaded; among equally loaded ones, the one that already holds most of the attempt's inputs.
                var held = need.Inputs.Count == 0 ? 0 : HeldBy(member.Name, need.Inputs);
                if (load < bestLoad || (load == bestLoad && held > bestHeld)) (best, bestLoad, bestHeld) = (member, load, held);
            }
            if (best is null)
            {
                waitReason = matching == 0
                    ? $"waiting for a node: {NoMatch(need, alive)}"
                    : $"waiting for room: needs {need.Room}; " + string.Join(", ", alive.Where(m => Matches(need, m)).Select(m => FreeText(RoomOf(m), m.Name, need)));
                return null;
            }
            var grant = new Grant($"g{++_nextGrant}", best.NodeId, best.Name, best.CallAddress, best.Registration.Hostname, need.Cores, need.MemoryBytes, holder);
            var chosen = RoomOf(best);
            chosen.UsedCores += need.Cores;
            chosen.UsedMemory += need.MemoryBytes;
            chosen.Grants.Add(grant);
            waitReason = "";
            return grant;
        }
    }

    // Which artifact content each node holds (it collected it, or fetched it for an attempt), by node name: a node
    // that comes back under its name keeps its cache on disk. Only a preference: bounded, and cleared when full.
    private readonly Dictionary<string, HashSet<string>> _held = new(StringComparer.Ordinal);
    private const int MaxHeldPerNode = 100_000;
    private const int MaxHeldNodes = 10_000;

    /// <summary>Notes that a node holds an artifact's content, for the attempts that receive it.</summary>
    public void NoteHeld(string nodeName, string sha256)
    {
        lock (_lock)
        {
            if (!_held.TryGetValue(nodeName, out var hashes))
            {
                if (_held.Count >= MaxHeldNodes) _held.Clear();
                _held[nodeName] = hashes = new HashSet<string>(StringComparer.Ordinal);
            }
            if (hashes.Count >= MaxHeldPerNode) hashes.Clear();
            hashes.Add(sha256);
        }
    }

    // Under the lock.
    private int HeldBy(string nodeName, IReadOnlyList<string> inputs)
    {
        if (!_held.TryGetValue(nodeName, out var hashes)) return 0;
        var count = 0;
        foreach (var input in inputs) if (hashes.Contains(input)) count++;
        return count;
    }

    private static string FreeText(NodeRoom room, string name, PlacementNeed need) =>
        need.MemoryBytes > 0
            ? $"{name} has {room.FreeCores} of {room.Slots} free and {ByteSize.Format(Math.Max(room.FreeMemory, 0))} of memory"
            : $"{name} has {room.FreeCores} of {room.Slots} free";

    /// <summary>Gives the grant's room back; nothing when it was already released or revoked.</summary>
    public void Release(Grant grant)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(grant.NodeId, out var room) || !room.Grants.Remove(grant)) return;
            room.UsedCores -= grant.Cores;
            room.UsedMemory -= grant.MemoryBytes;
        }
        SignalChange();
    }

    /// <summary>How much of each live node is held now, by node name: (used slots, slots, grants).</summary>
    public IReadOnlyDictionary<string, (int Used, int Slots, int Grants)> Load()
    {
        var alive = AliveMembers();
        lock (_lock)
        {
            var load = new Dictionary<string, (int, int, int)>(StringComparer.Ordinal);
            foreach (var member in alive)
            {
                var room = RoomOf(member);
                load[member.Name] = (room.UsedCores, room.Slots, room.Grants.Count);
            }
            return load;
        }
    }

    private List<Member> AliveMembers()
    {
        var members = _members.List();
        var alive = new List<Member>(members.Count);
        foreach (var member in members) if (member.State == MemberState.Alive) alive.Add(member);
        return alive;
    }

    // Under the lock.
    private NodeRoom RoomOf(Member member)
    {
        if (!_rooms.TryGetValue(member.NodeId, out var room))
        {
            room = new NodeRoom(member.Registration.OfferedSlots, member.Registration.MemoryBytes);
            _rooms[member.NodeId] = room;
        }
        return room;
    }

    /// <summary>Revokes the grants on nodes that are no longer alive, telling each holder why.</summary>
    private void Reconcile(IReadOnlyCollection<string> aliveIds, Func<string, string> reasonFor)
    {
        List<(Grant, string)>? revoked = null;
        lock (_lock)
        {
            foreach (var (nodeId, room) in _rooms.ToList())
            {
                if (aliveIds.Contains(nodeId)) continue;
                _rooms.Remove(nodeId);
                _gone.Add(nodeId);
                foreach (var grant in room.Grants) (revoked ??= []).Add((grant, reasonFor(nodeId)));
            }
        }
        if (revoked is null) return;
        foreach (var (grant, reason) in revoked)
        {
            LogRevoked(grant.Holder, grant.NodeName, reason);
            grant.Revoke(reason);
        }
        SignalChange();
    }

    private async Task WatchAsync(CancellationToken ct)
    {
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            using var watch = _members.Watch();
            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            var alive = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in watch.Snapshot)
            {
                alive.Add(member.NodeId);
                names[member.NodeId] = member.Name;
            }
            // Whatever happened while no watch was open: room on nodes that are gone is revoked as lost.
            Reconcile(alive, id => $"node-lost: {NameOf(id)}");
            SignalChange();
            try
            {
                await foreach (var change in watch.Changes.ReadAllAsync(ct).ConfigureAwait(false))
                {
                    var member = change.Member;
                    switch (change.Kind)
                    {
                        case MembershipChangeKind.Joined:
                            alive.Add(member.NodeId);
                            SignalChange();
                            break;
                        case MembershipChangeKind.Lost or MembershipChangeKind.Left:
                            alive.Remove(member.NodeId);
                            var reason = $"{(change.Kind == MembershipChangeKind.Lost ? "node-lost" : "node-left")}: {member.Name}";
                            Reconcile(alive, _ => reason);
                            break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            // The watch ended (fell behind): watch again from a fresh snapshot.
        }
    }

    private string NameOf(string nodeId)
    {
        lock (_lock)
        {
            foreach (var room in _rooms.Values)
                foreach (var grant in room.Grants)
                    if (grant.NodeId == nodeId) return grant.NodeName;
        }
        return nodeId;
    }

    private void SignalChange() => _changed.Signal();

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _watching.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Stopping: how the watch ended does not matter.
        }
        _stop.Dispose();
    }

    private sealed class NodeRoom(int slots, long memory)
    {
        public int Slots { get; } = Math.Max(slots, 1);
        public long Memory { get; } = memory;
        public int UsedCores { get; set; }
        public long UsedMemory { get; set; }
        public HashSet<Grant> Grants { get; } = [];
        public int FreeCores => Slots - UsedCores;
        public long FreeMemory => Memory - UsedMemory;
    }

    /// <summary>Room held on one node for one attempt.</summary>
    internal sealed class Grant(string id, string nodeId, string nodeName, string callAddress, string hostname, int cores, long memoryBytes, string holder)
    {
        private readonly TaskCompletionSource<string> _revoked = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Id { get; } = id;
        public string NodeId { get; } = nodeId;
        public string NodeName { get; } = nodeName;
        public string CallAddress { get; } = callAddress;
        public string Hostname { get; } = hostname;
        public int Cores { get; } = cores;
        public long MemoryBytes { get; } = memoryBytes;
        public string Holder { get; } = holder;

        /// <summary>Completes with the reason when the node is lost or leaves.</summary>
        public Task<string> Revoked => _revoked.Task;

        internal void Revoke(string reason) => _revoked.TrySetResult(reason);
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "room of {Holder} on node {Node} revoked: {Reason}")]
    private partial void LogRevoked(string holder, string node, string reason);
}
