using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Skein.Cluster.Events;
using Skein.Cluster.Membership;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Tests.Events;

public class MembershipEventsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static NodeRegistration Node(string name) =>
        new(name, "host", "127.0.0.1", 4, 1L << 30, new Dictionary<string, string>(), 1234);

    private static async Task<List<BusEvent>> Take(EventSubscription subscription, int count)
    {
        var events = new List<BusEvent>(count);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TestPatience.Ceiling);
        await foreach (var evt in subscription.WithCancellation(cts.Token))
        {
            events.Add(evt);
            if (events.Count == count) break;
        }
        return events;
    }

    private static (string Name, string NodeId, string State) Read(BusEvent evt)
    {
        using var json = JsonDocument.Parse(evt.Payload);
        var root = json.RootElement;
        return (root.GetProperty("name").GetString()!, root.GetProperty("nodeId").GetString()!, root.GetProperty("state").GetString()!);
    }

    [Fact]
    public async Task Node_state_changes_are_published_with_name_id_and_state()
    {
        using var bus = new EventBus(_time);
        using var subscription = bus.Subscribe(SystemEvents.AllNodes);
        using var registry = new MembershipRegistry(new CoordinatorOptions(), _time, NullLogger<MembershipRegistry>.Instance, events: bus);

        var a = registry.Register(Node("a"));
        var b = registry.Register(Node("b"));
        var c = registry.Register(Node("c"));
        registry.Leave(a.NodeId, "done");
        registry.SessionBroken(b.NodeId);
        _time.Advance(TimeSpan.FromSeconds(4));

        var events = await Take(subscription, 6);
        Assert.Equal(
            [SystemEvents.NodeJoined, SystemEvents.NodeJoined, SystemEvents.NodeJoined, SystemEvents.NodeLeft, SystemEvents.NodeLost, SystemEvents.NodeLost],
            events.Select(e => e.Subject));
        Assert.Equal(("a", a.NodeId, "alive"), Read(events[0]));
        Assert.Equal(("a", a.NodeId, "left"), Read(events[3]));
        Assert.Equal(("b", b.NodeId, "lost"), Read(events[4]));
        Assert.Equal(("c", c.NodeId, "lost"), Read(events[5]));
    }

    [Fact]
    public void A_refused_name_or_a_repeated_goodbye_publishes_nothing()
    {
        using var bus = new EventBus(_time);
        using var subscription = bus.Subscribe(">");
        using var registry = new MembershipRegistry(new CoordinatorOptions(), _time, NullLogger<MembershipRegistry>.Instance, events: bus);

        var a = registry.Register(Node("a"));
        Assert.Throws<NodeNameInUseException>(() => registry.Register(Node("a")));
        registry.Leave(a.NodeId, "done");
        registry.Leave(a.NodeId, "again");
        registry.SessionBroken(a.NodeId);

        Assert.Equal(2, subscription.Delivered);
    }
}
