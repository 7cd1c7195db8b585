using Microsoft.Extensions.Time.Testing;
using Skein.Cluster.Internal;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services;
using Skein.Cluster.Client;
using Skein.Cluster.Membership;

namespace Skein.Cluster.Tests.Services;

/// <summary>The directory's routing table fed Watch messages directly, on a fake clock.</summary>
public sealed class ServiceRoutesTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<NodeGoneEventArgs> _gone = [];
    private readonly ServiceRoutes _routes;

    public ServiceRoutesTests() => _routes = new ServiceRoutes(_time, _gone.Add);

    public void Dispose() => _routes.Dispose();

    private static WatchedNode Node(string id, string name, string address, params ServiceDescription[] services)
    {
        var node = new WatchedNode { NodeId = id, Name = name, Address = address };
        node.Services.AddRange(services.ToWire());
        return node;
    }

    private static WatchSnapshot Snapshot(params WatchedNode[] nodes)
    {
        var snapshot = new WatchSnapshot();
        snapshot.Nodes.AddRange(nodes);
        return snapshot;
    }

    [Fact]
    public void Hosts_come_and_go_with_the_messages_and_a_lost_node_is_raised_at_once()
    {
        _routes.ApplySnapshot(Snapshot(Node("n2", "b", "10.0.0.2:1", TestServices.Echo())));
        _routes.Apply(new WatchEvent { NodeJoined = Node("n1", "a", "10.0.0.1:1", TestServices.Echo()) });
        Assert.Equal(["a", "b"], _routes.Resolve("echo").Select(h => h.NodeName));

        _routes.Apply(new WatchEvent { ServicesChanged = Node("n1", "a", "10.0.0.1:1", TestServices.Clock()) });
        Assert.Equal(["b"], _routes.Resolve("echo").Select(h => h.NodeName));
        Assert.Equal("n1", _routes.Resolve("clock").Single().NodeId);

        _routes.Apply(new WatchEvent { NodeLost = new NodeGone { NodeId = "n2", Name = "b", Reason = "no heartbeat for 3 s" } });
        Assert.Empty(_routes.Resolve("echo"));
        var gone = Assert.Single(_gone);
        Assert.Equal(("n2", "b", true, "no heartbeat for 3 s"), (gone.NodeId, gone.NodeName, gone.Lost, gone.Reason));

        _routes.Apply(new WatchEvent { NodeLeft = new NodeGone { NodeId = "n1", Name = "a", Reason = "bye" } });
        Assert.False(_gone[1].Lost);
        Assert.Empty(_routes.Services);
    }

    [Fact]
    public void A_departure_of_a_node_never_seen_raises_nothing()
    {
        _routes.ApplySnapshot(Snapshot());
        _routes.Apply(new WatchEvent { NodeLost = new NodeGone { NodeId = "n9", Name = "x" } });
        _routes.Apply(new WatchEvent()); // a kind this client does not know
        Assert.Empty(_gone);
    }

    [Fact]
    public void After_a_resync_a_missing_node_stays_routable_for_the_grace_then_is_gone()
    {
        _routes.ApplySnapshot(Snapshot(Node("n1", "a", "10.0.0.1:1", TestServices.Echo())));
        _routes.ApplySnapshot(Snapshot()); // a restarted coordinator that knows nobody yet

        Assert.Equal("a", _routes.Resolve("echo").Single().NodeName);
        _time.Advance(ServiceDirectory.RejoinGrace - TimeSpan.FromMilliseconds(1));
        Assert.Empty(_gone);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var gone = Assert.Single(_gone);
        Assert.Equal(("n1", "a", true), (gone.NodeId, gone.NodeName, gone.Lost));
        Assert.Contains("not back in the cluster", gone.Reason);
        Assert.Empty(_routes.Resolve("echo"));
    }

    [Fact]
    public void A_node_back_at_the_same_address_under_a_new_id_replaces_the_old_silently()
    {
        _routes.ApplySnapshot(Snapshot(Node("n7", "a", "10.0.0.1:1", TestServices.Echo())));
        _routes.ApplySnapshot(Snapshot());
        _routes.Apply(new WatchEvent { NodeJoined = Node("n1", "a", "10.0.0.1:1", TestServices.Echo()) });

        Assert.Equal("n1", _routes.Resolve("echo").Single().NodeId);
        _time.Advance(ServiceDirectory.RejoinGrace * 2);
        Assert.Empty(_gone);
        Assert.Equal("n1", _routes.Resolve("echo").Single().NodeId);
    }

    [Fact]
    public void A_node_back_at_another_address_means_the_old_process_is_gone()
    {
        _routes.ApplySnapshot(Snapshot(Node("n1", "a", "10.0.0.1:1", TestServices.Echo()), Node("n2", "b", "10.0.0.2:1")));
        _routes.ApplySnapshot(Snapshot(Node("n5", "b", "10.0.0.2:2")));
        _routes.Apply(new WatchEvent { NodeJoined = Node("n6", "a", "10.0.0.1:2", TestServices.Echo()) });

        Assert.Equal([("n2", "b"), ("n1", "a")], _gone.Select(g => (g.NodeId, g.NodeName)));
        Assert.Equal("10.0.0.1:2", _routes.Resolve("echo").Single().Address);
    }

    [Fact]
    public async Task A_waiter_wakes_on_the_change_that_satisfies_it()
    {
        _routes.ApplySnapshot(Snapshot());
        var waiting = _routes.WaitUntilAsync(r => r.Resolve("echo").Count == 1, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        _routes.Apply(new WatchEvent { NodeJoined = Node("n1", "a", "10.0.0.1:1", TestServices.Echo()) });
        await waiting.WaitAsync(TestPatience.Ceiling, TestContext.Current.CancellationToken);
    }
}
