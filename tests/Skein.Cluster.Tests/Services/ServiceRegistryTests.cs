using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Skein.Cluster.Endpoints;
using Skein.Cluster.Events;
using Skein.Cluster.Internal;
using Skein.Cluster.Membership;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Tests.Services;

/// <summary>The registry half of membership, on a fake clock.</summary>
public sealed class ServiceRegistryTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly EventBus _bus;
    private readonly MembershipRegistry _registry;

    public ServiceRegistryTests()
    {
        _bus = new EventBus(_time);
        _registry = new MembershipRegistry(new CoordinatorOptions(), _time, NullLogger<MembershipRegistry>.Instance, events: _bus);
    }

    public void Dispose()
    {
        _registry.Dispose();
        _bus.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static NodeRegistration Node(string name, string callAddress, params ServiceDescription[] services) =>
        new(name, "host", "127.0.0.1", 4, 1L << 30, new Dictionary<string, string>(), 1234) { CallAddress = callAddress, Services = services };

    private static async Task<List<BusEvent>> TakeAsync(EventSubscription subscription, int count)
    {
        var events = new List<BusEvent>(count);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TestPatience.Ceiling);
        await foreach (var evt in subscription.WithCancellation(cts.Token))
        {
            events.Add(evt);
            if (events.Count == count) break;
        }
        return events;
    }

    private static (string Service, string Node, string NodeId) Read(BusEvent evt)
    {
        using var json = JsonDocument.Parse(evt.Payload);
        var root = json.RootElement;
        return (root.GetProperty("service").GetString()!, root.GetProperty("node").GetString()!, root.GetProperty("nodeId").GetString()!);
    }

    private static async Task<MembershipChange> NextAsync(MembershipWatch watch)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TestPatience.Ceiling);
        return await watch.Changes.ReadAsync(cts.Token);
    }

    [Fact]
    public void The_registry_keeps_each_nodes_call_address_and_services()
    {
        _registry.Register(Node("a", "10.0.0.1:7701", TestServices.Echo(capacity: 3), TestServices.Clock()));
        _registry.Register(Node("b", "10.0.0.2:7701"));

        var members = _registry.List();
        Assert.Equal("10.0.0.1:7701", members[0].CallAddress);
        Assert.Equal(["echo", "clock"], members[0].Services.Select(s => s.Name));
        Assert.Equal(3, members[0].Services[0].Capacity);
        Assert.True(members[0].Services[1].Methods[0].Streaming);
        Assert.Empty(members[1].Services);
    }

    [Fact]
    public void The_registry_keeps_its_own_copy_of_a_service_list()
    {
        // Descriptions are immutable, but the lists in them may be the caller's.
        var methods = new List<ServiceMethodDescription> { new() { Name = "Echo" } };
        _registry.Register(Node("a", "10.0.0.1:7701", TestServices.Echo() with { Methods = methods }));
        methods.Clear();
        Assert.Equal("Echo", _registry.List()[0].Services[0].Methods.Single().Name);
    }

    [Fact]
    public void Two_nodes_hosting_one_service_are_both_listed_in_node_name_order()
    {
        _registry.Register(Node("b", "10.0.0.2:7701", TestServices.Echo()));
        _registry.Register(Node("a", "10.0.0.1:7701", TestServices.Echo(), TestServices.Clock()));

        var services = ServiceCatalog.From(_registry.List()).Services;
        Assert.Equal(["clock", "echo"], services.Select(s => s.Name));
        var echo = services[1];
        Assert.Equal(["a", "b"], echo.Hosts.Select(h => h.NodeName));
        Assert.Equal(["10.0.0.1:7701", "10.0.0.2:7701"], echo.Hosts.Select(h => h.Address));
        Assert.All(echo.Hosts, h => Assert.Equal("Echo", h.Info.Methods[0].Name));
    }

    [Fact]
    public void A_lost_or_departed_nodes_services_disappear_from_the_list()
    {
        var a = _registry.Register(Node("a", "10.0.0.1:7701", TestServices.Echo()));
        var b = _registry.Register(Node("b", "10.0.0.2:7701", TestServices.Echo(), TestServices.Clock()));

        _registry.Leave(b.NodeId, "done");
        Assert.Equal(["a"], ServiceCatalog.From(_registry.List()).Services.Single().Hosts.Select(h => h.NodeName));

        _time.Advance(TimeSpan.FromSeconds(3.3)); // a goes quiet
        Assert.Equal(MemberState.Lost, _registry.List().Single(m => m.NodeId == a.NodeId).State);
        Assert.Empty(ServiceCatalog.From(_registry.List()).Services);
    }

    [Fact]
    public async Task Service_added_and_removed_are_published_as_nodes_join_change_and_go()
    {
        using var services = _bus.Subscribe(SystemEvents.AllServices);
        var a = _registry.Register(Node("a", "10.0.0.1:7701", TestServices.Echo()));
        var b = _registry.Register(Node("b", "10.0.0.2:7701", TestServices.Echo()));
        Assert.True(_registry.ReplaceServices(a.NodeId, [TestServices.Echo(capacity: 9), TestServices.Clock()])); // echo changed, clock new
        Assert.True(_registry.ReplaceServices(a.NodeId, [TestServices.Clock()]));
        _registry.SessionBroken(a.NodeId);
        _registry.Leave(b.NodeId, "done");

        var events = await TakeAsync(services, 6);
        Assert.Equal(
            [
                (SystemEvents.ServiceAdded, ("echo", "a", a.NodeId)),
                (SystemEvents.ServiceAdded, ("echo", "b", b.NodeId)),
                (SystemEvents.ServiceAdded, ("clock", "a", a.NodeId)),
                (SystemEvents.ServiceRemoved, ("echo", "a", a.NodeId)),
                (SystemEvents.ServiceRemoved, ("clock", "a", a.NodeId)),
                (SystemEvents.ServiceRemoved, ("echo", "b", b.NodeId)),
            ],
            events.Select(e => (e.Subject, Read(e))));
    }

    [Fact]
    public void Only_an_alive_node_may_replace_its_services()
    {
        var a = _registry.Register(Node("a", "10.0.0.1:7701", TestServices.Echo()));
        _registry.SessionBroken(a.NodeId);
        Assert.False(_registry.ReplaceServices(a.NodeId, [TestServices.Clock()]));
        Assert.False(_registry.ReplaceServices("n404", [TestServices.Clock()]));
        Assert.Equal("echo", _registry.List().Single().Services.Single().Name);
    }

    [Fact]
    public void A_nameless_or_repeated_service_is_refused_with_the_name()
    {
        var repeated = Assert.Throws<InvalidServiceListException>(() => _registry.Register(Node("a", "", TestServices.Echo(), TestServices.Echo())));
        Assert.Contains("'echo' is listed twice", repeated.Message);
        Assert.Throws<InvalidServiceListException>(() => _registry.Register(Node("a", "", new ServiceDescription { Name = "" })));
        Assert.Empty(_registry.List());
    }

    [Fact]
    public async Task A_watch_gets_the_alive_nodes_then_every_change_in_order()
    {
        var a = _registry.Register(Node("a", "10.0.0.1:7701", TestServices.Echo()));
        var gone = _registry.Register(Node("gone", "10.0.0.9:7701"));
        _registry.Leave(gone.NodeId, "done");

        using var watch = _registry.Watch();
        Assert.Equal(["a"], watch.Snapshot.Select(m => m.Name));
        Assert.Equal("echo", watch.Snapshot[0].Services.Single().Name);

        var b = _registry.Register(Node("b", "10.0.0.2:7701", TestServices.Clock()));
        _registry.ReplaceServices(b.NodeId, [TestServices.Clock(), TestServices.Echo()]);
        _registry.Leave(b.NodeId, "stopping");

        var joined = await NextAsync(watch);
        Assert.Equal((MembershipChangeKind.Joined, "b", "10.0.0.2:7701"), (joined.Kind, joined.Member.Name, joined.Member.CallAddress));
        var changed = await NextAsync(watch);
        Assert.Equal(MembershipChangeKind.ServicesChanged, changed.Kind);
        Assert.Equal(["clock", "echo"], changed.Member.Services.Select(s => s.Name));
        var left = await NextAsync(watch);
        Assert.Equal((MembershipChangeKind.Left, b.NodeId, "stopping"), (left.Kind, left.Member.NodeId, left.Reason));

        // a has sent no heartbeat: the sweep declares it lost and the watch hears it then, not at some later poll.
        _time.Advance(TimeSpan.FromSeconds(3.3));
        var lost = await NextAsync(watch);
        Assert.Equal((MembershipChangeKind.Lost, a.NodeId, "no heartbeat for 3 s"), (lost.Kind, lost.Member.NodeId, lost.Reason));
    }

    [Fact]
    public async Task A_watcher_that_falls_behind_is_cut_off_rather_than_skipping_changes()
    {
        using var watch = _registry.Watch(capacity: 2);
        for (var i = 0; i < 5; i++) _registry.Register(Node($"n{i}", ""));

        var read = 0;
        await foreach (var _ in watch.Changes.ReadAllAsync(Ct)) read++;
        Assert.Equal(2, read);
        Assert.True(watch.FellBehind);
    }

    [Fact]
    public void A_disposed_watch_receives_nothing_more()
    {
        var watch = _registry.Watch();
        watch.Dispose();
        _registry.Register(Node("a", ""));
        Assert.True(watch.Changes.Completion.IsCompleted);
        Assert.False(watch.FellBehind);
    }
}
