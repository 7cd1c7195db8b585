using System.Text;
using Microsoft.Extensions.Time.Testing;
using Skein.Cluster.Events;

namespace Skein.Cluster.Tests.Events;

public class EventBusTests
{
    private static readonly TimeSpan Timeout = TestPatience.Ceiling;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static async Task<List<BusEvent>> Take(EventSubscription subscription, int count)
    {
        var events = new List<BusEvent>(count);
        if (count == 0) return events;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Timeout);
        await foreach (var evt in subscription.WithCancellation(cts.Token))
        {
            events.Add(evt);
            if (events.Count == count) break;
        }
        return events;
    }

    private static async Task<List<BusEvent>> ReadToEnd(EventSubscription subscription)
    {
        var events = new List<BusEvent>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Timeout);
        await foreach (var evt in subscription.WithCancellation(cts.Token)) events.Add(evt);
        return events;
    }

    [Fact]
    public void Publishing_with_no_subscribers_reaches_nobody()
    {
        using var bus = new EventBus(_time);
        Assert.Equal(0, bus.Publish("a.b", Bytes("x")));
        Assert.Equal(1, bus.Published);
        Assert.Equal(0, bus.Dropped);
    }

    [Fact]
    public async Task Every_matching_subscriber_receives_the_event_and_others_do_not()
    {
        using var bus = new EventBus(_time);
        using var exact = bus.Subscribe("orders.created");
        using var star = bus.Subscribe("orders.*");
        using var tail = bus.Subscribe(">");
        using var other = bus.Subscribe("invoices.>");

        Assert.Equal(3, bus.Publish("orders.created", Bytes("42")));

        foreach (var subscription in new[] { exact, star, tail })
        {
            var evt = Assert.Single(await Take(subscription, 1));
            Assert.Equal("orders.created", evt.Subject);
            Assert.Equal("42", Encoding.UTF8.GetString(evt.Payload.Span));
            Assert.Equal(1, evt.Sequence);
            Assert.Equal(_time.GetUtcNow(), evt.PublishedAt);
        }
        Assert.Equal(0, other.Delivered);
    }

    [Fact]
    public async Task Sequences_increase_with_every_publish_and_stamps_come_from_the_clock()
    {
        using var bus = new EventBus(_time);
        using var subscription = bus.Subscribe("a");
        bus.Publish("a", Bytes("1"));
        bus.Publish("b", Bytes("unmatched"));
        _time.Advance(TimeSpan.FromSeconds(5));
        bus.Publish("a", Bytes("2"));

        var events = await Take(subscription, 2);
        Assert.Equal([1L, 3L], events.Select(e => e.Sequence));
        Assert.Equal(TimeSpan.FromSeconds(5), events[1].PublishedAt - events[0].PublishedAt);
    }

    [Fact]
    public async Task Disposing_a_subscription_stops_delivery_and_ends_its_enumeration()
    {
        using var bus = new EventBus(_time);
        var subscription = bus.Subscribe("a.>");
        bus.Publish("a.1", Bytes("kept"));

        subscription.Dispose();
        Assert.Equal(0, bus.Publish("a.2", Bytes("after")));
        Assert.Equal(0, bus.SubscriberCount);

        var events = await ReadToEnd(subscription);
        Assert.Equal("a.1", Assert.Single(events).Subject);
        Assert.Equal(0, subscription.Dropped);
    }

    [Fact]
    public async Task Disposing_completes_an_enumeration_that_is_waiting()
    {
        using var bus = new EventBus(_time);
        await using var subscription = bus.Subscribe("a");
        var reading = ReadToEnd(subscription);
        Assert.False(reading.IsCompleted);

        await subscription.DisposeAsync();
        Assert.Empty(await reading.WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Disposing_the_bus_ends_every_subscription()
    {
        var bus = new EventBus(_time);
        using var one = bus.Subscribe("a");
        using var two = bus.Subscribe("b");
        var readingOne = ReadToEnd(one);
        var readingTwo = ReadToEnd(two);

        bus.Dispose();

        Assert.Empty(await readingOne.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.Empty(await readingTwo.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.Equal(0, bus.Publish("a", Bytes("x")));
        Assert.Throws<ObjectDisposedException>(() => bus.Subscribe("a"));
    }

    [Fact]
    public async Task A_slow_subscriber_drops_and_counts_while_a_fast_one_receives_everything()
    {
        using var bus = new EventBus(_time);
        using var slow = bus.Subscribe("tick", new EventBusSubscriptionOptions { BufferCapacity = 4 });
        using var fast = bus.Subscribe("tick", new EventBusSubscriptionOptions { BufferCapacity = 100 });

        for (var i = 0; i < 10; i++) bus.Publish("tick", Bytes(i.ToString()));

        Assert.Equal(6, slow.Dropped);
        Assert.Equal(4, slow.Delivered);
        Assert.Equal(0, fast.Dropped);
        Assert.Equal(6, bus.Dropped);

        var fastEvents = await Take(fast, 10);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), fastEvents.Select(e => e.Sequence));

        // The slow one kept the oldest events: at most once, never reordered.
        var slowEvents = await Take(slow, 4);
        Assert.Equal([1L, 2L, 3L, 4L], slowEvents.Select(e => e.Sequence));
    }

    [Fact]
    public void A_full_subscriber_does_not_reduce_the_count_of_those_that_received()
    {
        using var bus = new EventBus(_time);
        using var full = bus.Subscribe("x", new EventBusSubscriptionOptions { BufferCapacity = 1 });
        using var roomy = bus.Subscribe("x");
        Assert.Equal(2, bus.Publish("x", Bytes("1")));
        Assert.Equal(1, bus.Publish("x", Bytes("2")));
    }

    [Fact]
    public async Task Concurrent_publishers_lose_nothing_when_buffers_are_large_enough()
    {
        const int publishers = 8;
        const int perPublisher = 5_000;
        using var bus = new EventBus(_time);
        using var all = bus.Subscribe("load.>", new EventBusSubscriptionOptions { BufferCapacity = publishers * perPublisher });
        using var one = bus.Subscribe("load.3", new EventBusSubscriptionOptions { BufferCapacity = perPublisher });

        using var start = new Barrier(publishers);
        var tasks = new Task[publishers];
        for (var p = 0; p < publishers; p++)
        {
            var subject = $"load.{p}";
            tasks[p] = Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < perPublisher; i++) bus.Publish(subject, Bytes("x"));
            }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        await Task.WhenAll(tasks).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(0, bus.Dropped);
        var events = await Take(all, publishers * perPublisher);
        var sequences = new HashSet<long>();
        foreach (var evt in events) Assert.True(sequences.Add(evt.Sequence), $"sequence {evt.Sequence} delivered twice");
        Assert.Equal(publishers * perPublisher, sequences.Count);
        Assert.Equal(1, sequences.Min());
        Assert.Equal(publishers * perPublisher, sequences.Max());

        var mine = await Take(one, perPublisher);
        Assert.All(mine, e => Assert.Equal("load.3", e.Subject));
        // One publisher's events reach a subscriber in the order it published them.
        for (var i = 1; i < mine.Count; i++) Assert.True(mine[i].Sequence > mine[i - 1].Sequence);
    }

    [Fact]
    public async Task Subscribing_and_unsubscribing_while_publishing_is_safe()
    {
        using var bus = new EventBus(_time);
        using var stop = new CancellationTokenSource();
        using var steady = bus.Subscribe("churn", new EventBusSubscriptionOptions { BufferCapacity = 1_000_000 });
        var published = 0;
        var publisher = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                bus.Publish("churn", Bytes("x"));
                published++;
            }
        }, TestContext.Current.CancellationToken);

        for (var i = 0; i < 500; i++)
        {
            using var transient = bus.Subscribe(i % 2 == 0 ? "churn" : ">");
        }
        await stop.CancelAsync();
        await publisher.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(1, bus.SubscriberCount);
        Assert.Equal(published, steady.Delivered);
        Assert.Equal(0, steady.Dropped);
    }

    [Fact]
    public void A_subscription_is_enumerated_once()
    {
        using var bus = new EventBus(_time);
        using var subscription = bus.Subscribe("a");
        _ = subscription.GetAsyncEnumerator(TestContext.Current.CancellationToken);
        var ex = Assert.Throws<InvalidOperationException>(() => subscription.GetAsyncEnumerator(TestContext.Current.CancellationToken));
        Assert.Contains("already being enumerated", ex.Message);
    }

    [Fact]
    public void Invalid_subjects_and_patterns_and_options_are_refused()
    {
        using var bus = new EventBus(_time);
        Assert.Throws<ArgumentException>(() => bus.Publish("a.*", Bytes("x")));
        Assert.Throws<ArgumentException>(() => bus.Subscribe("a..b"));
        Assert.Throws<ArgumentOutOfRangeException>(() => bus.Subscribe("a", new EventBusSubscriptionOptions { BufferCapacity = 0 }));
        Assert.Equal(0, bus.SubscriberCount);
    }
}
