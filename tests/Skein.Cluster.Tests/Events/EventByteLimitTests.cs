using Skein.Cluster.Events;

namespace Skein.Cluster.Tests.Events;

/// <summary>The bus bounds its memory in bytes as well as in events: the history, each subscriber's buffer, one payload.</summary>
public class EventByteLimitTests
{
    private const int Kib = 1024;

    private static ReadOnlyMemory<byte> Payload(int bytes) => new byte[bytes];

    [Fact]
    public void The_history_keeps_no_more_payload_bytes_than_its_bound_dropping_the_oldest()
    {
        using var bus = new EventBus(historyCapacity: 1000, historyMaxBytes: 10 * Kib);
        for (var i = 1; i <= 250; i++) bus.Publish($"big.{i}", Payload(4 * Kib));

        Assert.Equal(8 * Kib, bus.HistoryBytes);
        Assert.Equal(["big.249", "big.250"], bus.Recent(">").Select(e => e.Subject));
    }

    [Fact]
    public void An_event_larger_than_the_whole_history_bound_is_still_kept_as_the_newest()
    {
        using var bus = new EventBus(historyCapacity: 10, historyMaxBytes: Kib);
        bus.Publish("small", Payload(10));
        bus.Publish("large", Payload(2 * Kib));
        Assert.Equal(["large"], bus.Recent(">").Select(e => e.Subject));
    }

    [Fact]
    public async Task A_subscriber_that_does_not_read_holds_no_more_bytes_than_its_bound_and_the_rest_are_dropped()
    {
        using var bus = new EventBus();
        using var subscription = bus.Subscribe(">", new EventBusSubscriptionOptions { BufferCapacity = 1000, BufferMaxBytes = 10 * Kib });
        for (var i = 0; i < 10; i++) bus.Publish($"big.{i}", Payload(4 * Kib));

        Assert.Equal(2, subscription.Delivered);
        Assert.Equal(8, subscription.Dropped);
        Assert.Equal(8 * Kib, subscription.BufferedBytes);

        // Reading makes room again.
        await using var reader = subscription.GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await reader.MoveNextAsync());
        Assert.True(await reader.MoveNextAsync());
        Assert.Equal(0, subscription.BufferedBytes);
        Assert.Equal(1, bus.Publish("big.again", Payload(4 * Kib)));
    }

    [Fact]
    public void An_event_over_a_subscribers_byte_bound_on_its_own_goes_into_an_empty_buffer_only()
    {
        using var bus = new EventBus();
        using var subscription = bus.Subscribe(">", new EventBusSubscriptionOptions { BufferMaxBytes = Kib });
        Assert.Equal(1, bus.Publish("large", Payload(2 * Kib)));
        Assert.Equal(0, bus.Publish("large", Payload(2 * Kib)));
        Assert.Equal(1, subscription.Dropped);
    }

    [Fact]
    public void A_payload_over_the_limit_is_refused_at_publish_naming_the_subject_and_the_limit()
    {
        using var bus = new EventBus(historyCapacity: 10, maxPayloadBytes: 64 * Kib);
        using var subscription = bus.Subscribe(">");
        Assert.Equal(1, bus.Publish("fits", Payload(64 * Kib)));

        var error = Assert.Throws<ArgumentException>(() => bus.Publish("too.big", Payload(64 * Kib + 1)));
        Assert.StartsWith("The event on 'too.big' has a payload of 65,537 bytes, over the limit of 65,536 bytes (64 KiB) for one event", error.Message);
        Assert.Equal(1, bus.Published);
        Assert.Equal(["fits"], bus.Recent(">").Select(e => e.Subject));
        Assert.Equal(1, subscription.Delivered);
    }

    [Fact]
    public void The_defaults_bound_a_flood_of_large_events_to_the_history_limit()
    {
        using var bus = new EventBus(historyCapacity: 1000);
        for (var i = 0; i < 250; i++) bus.Publish("large", Payload(EventLimits.DefaultMaxPayloadBytes));
        Assert.True(bus.HistoryBytes <= EventLimits.DefaultHistoryMaxBytes, $"{bus.HistoryBytes} bytes kept");
        Assert.Throws<ArgumentException>(() => bus.Publish("larger", Payload(EventLimits.DefaultMaxPayloadBytes + 1)));
    }
}
