using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Skein.Cluster.Membership;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Tests;

public class MembershipRegistryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private MembershipRegistry NewRegistry() =>
        new(new CoordinatorOptions(), _time, NullLogger<MembershipRegistry>.Instance);

    private static NodeRegistration Node(string name) =>
        new(name, "host", "127.0.0.1", 4, 1L << 30, new Dictionary<string, string> { ["zone"] = "a" }, 1234);

    [Fact]
    public void A_node_without_heartbeats_is_lost_after_three_seconds()
    {
        using var registry = NewRegistry();
        registry.Register(Node("a"));

        _time.Advance(TimeSpan.FromSeconds(2.7));
        Assert.Equal(MemberState.Alive, registry.List().Single().State);

        _time.Advance(TimeSpan.FromSeconds(0.6));
        Assert.Equal(MemberState.Lost, registry.List().Single().State);
    }

    [Fact]
    public void Heartbeats_keep_a_node_alive()
    {
        using var registry = NewRegistry();
        var member = registry.Register(Node("a"));
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.True(registry.Heartbeat(member.NodeId));
        }
        var now = registry.List().Single();
        Assert.Equal(MemberState.Alive, now.State);
        Assert.Equal(_time.GetUtcNow(), now.LastHeartbeat);
    }

    [Fact]
    public void A_lost_node_gets_no_credit_for_a_late_heartbeat()
    {
        using var registry = NewRegistry();
        var member = registry.Register(Node("a"));
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(registry.Heartbeat(member.NodeId));
        Assert.Equal(MemberState.Lost, registry.List().Single().State);
    }

    [Fact]
    public void A_name_that_is_alive_is_refused_with_a_clear_error()
    {
        using var registry = NewRegistry();
        registry.Register(Node("a"));
        var ex = Assert.Throws<NodeNameInUseException>(() => registry.Register(Node("a")));
        Assert.Contains("'a' is already alive", ex.Message);
        Assert.Single(registry.List());
    }

    [Fact]
    public void A_lost_or_departed_name_may_join_again_with_a_new_id()
    {
        using var registry = NewRegistry();
        var first = registry.Register(Node("a"));
        registry.SessionBroken(first.NodeId);
        var second = registry.Register(Node("a"));
        Assert.NotEqual(first.NodeId, second.NodeId);
        registry.Leave(second.NodeId, "done");
        var third = registry.Register(Node("a"));
        Assert.Equal(MemberState.Alive, registry.List().Single().State);
        Assert.Equal(third.NodeId, registry.List().Single().NodeId);
    }

    [Fact]
    public void Leaving_is_left_and_a_broken_session_is_lost_at_once()
    {
        using var registry = NewRegistry();
        var a = registry.Register(Node("a"));
        var b = registry.Register(Node("b"));
        registry.Leave(a.NodeId, "stopping");
        registry.SessionBroken(b.NodeId);
        var states = registry.List().ToDictionary(m => m.Name, m => m.State);
        Assert.Equal(MemberState.Left, states["a"]);
        Assert.Equal(MemberState.Lost, states["b"]);
    }

    [Fact]
    public void A_stale_session_ending_does_not_touch_the_node_that_replaced_it()
    {
        using var registry = NewRegistry();
        var old = registry.Register(Node("a"));
        _time.Advance(TimeSpan.FromSeconds(5)); // declared lost
        var fresh = registry.Register(Node("a"));
        registry.SessionBroken(old.NodeId);
        Assert.Equal(MemberState.Alive, registry.List().Single().State);
        Assert.Equal(fresh.NodeId, registry.List().Single().NodeId);
    }

    [Fact]
    public async Task Waiting_for_nodes_completes_when_enough_are_alive()
    {
        using var registry = NewRegistry();
        var waiting = registry.WaitForAliveAsync(2, TestContext.Current.CancellationToken);
        registry.Register(Node("a"));
        Assert.False(waiting.IsCompleted);
        registry.Register(Node("b"));
        await waiting.WaitAsync(TestPatience.Ceiling, TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Lost_after_must_exceed_the_heartbeat_interval()
    {
        var options = new CoordinatorOptions { HeartbeatInterval = TimeSpan.FromSeconds(2), LostAfter = TimeSpan.FromSeconds(1) };
        var ex = Assert.Throws<SkeinException>(options.Validate);
        Assert.Contains("lost-after", ex.Message);
    }
}

public class MembershipMetricsTests
{
    [Fact]
    public void Joins_losses_departures_and_alive_nodes_are_measured()
    {
        var time = new FakeTimeProvider();
        using var meters = new ScopedMeterFactory();
        using var registry = new MembershipRegistry(new CoordinatorOptions(), time, NullLogger<MembershipRegistry>.Instance, meters);
        var measured = new Dictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this test's meter: other tests' registries measure under the same name meanwhile.
            if (instrument.Meter.Scope == meters) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (measured) measured[instrument.Name] = measured.GetValueOrDefault(instrument.Name) + value;
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            lock (measured) measured[instrument.Name] = value;
        });
        listener.Start();

        var node = new NodeRegistration("a", "h", "", 1, 0, new Dictionary<string, string>(), 1);
        var a = registry.Register(node);
        registry.Register(node with { Name = "b" });
        registry.Register(node with { Name = "c" });
        registry.Leave(a.NodeId, "done");
        registry.Heartbeat(registry.List().Single(m => m.Name == "b").NodeId);
        time.Advance(TimeSpan.FromSeconds(4)); // b and c go quiet
        listener.RecordObservableInstruments();

        Assert.Equal(3, measured["skein.cluster.node.joins"]);
        Assert.Equal(1, measured["skein.cluster.node.departures"]);
        Assert.Equal(2, measured["skein.cluster.node.losses"]);
        Assert.Equal(0, measured["skein.cluster.nodes.alive"]);
    }
}

/// <summary>Meters whose scope is this factory, so a listener can tell them from other tests' meters of the same name.</summary>
internal sealed class ScopedMeterFactory : System.Diagnostics.Metrics.IMeterFactory
{
    private readonly List<System.Diagnostics.Metrics.Meter> _meters = [];

    public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
    {
        var meter = new System.Diagnostics.Metrics.Meter(options.Name, options.Version, options.Tags, scope: this);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in _meters) meter.Dispose();
    }
}
