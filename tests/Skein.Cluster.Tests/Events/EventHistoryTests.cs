using System.Text;
using Skein.Cluster.Events;

namespace Skein.Cluster.Tests.Events;

public class EventHistoryTests
{
    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void The_history_keeps_the_most_recent_events_oldest_first()
    {
        using var bus = new EventBus(historyCapacity: 3);
        for (var i = 1; i <= 5; i++) bus.Publish($"tick.{i}", Bytes("x"));
        Assert.Equal(["tick.3", "tick.4", "tick.5"], bus.Recent(">").Select(e => e.Subject));
        Assert.Equal(["tick.4"], bus.Recent("tick.4").Select(e => e.Subject));
    }

    [Fact]
    public async Task Subscribing_with_the_history_delivers_only_later_events()
    {
        using var bus = new EventBus(historyCapacity: 10);
        bus.Publish("a", Bytes("1"), EventContentTypes.Text);
        using var subscription = bus.Subscribe(">", null, out var recent);
        bus.Publish("b", Bytes("2"));
        Assert.Equal(["a"], recent.Select(e => e.Subject));
        Assert.Equal(EventContentTypes.Text, recent[0].ContentType);
        await using var next = subscription.GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await next.MoveNextAsync());
        Assert.Equal("b", next.Current.Subject);
    }

    [Fact]
    public void A_bus_without_history_replays_nothing()
    {
        using var bus = new EventBus();
        bus.Publish("a", Bytes("1"));
        Assert.Empty(bus.Recent(">"));
    }
}
