using System.Text;
using System.Text.Json;
using Grpc.Core;
using Google.Protobuf;
using Grpc.Net.Client;
using Skein.Cluster.Events;
using Skein.Cluster.Protocol;
using Skein.Testing;
using Skein.Cluster.Addressing;

namespace Skein.Cluster.Tests.Events;

/// <summary>Publishing and subscribing through a real coordinator's Events service on a free loopback port.</summary>
public sealed class ClusterEventsTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TestPatience.Ceiling;
    private TestCluster _cluster = null!;
    private Coordinator _coordinator = null!;
    private string _token = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync(nodes: 0, cancellationToken: Ct);
        _coordinator = _cluster.Coordinator;
        _token = _cluster.Token;
    }

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    private ClusterEvents Connect(string? token = null) => new(_coordinator.Address, token ?? _token);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Star_and_tail_wildcards_receive_matching_subjects_only()
    {
        await using var events = Connect();
        await using var star = await RemoteSubscriber.StartAsync(events, "orders.*");
        await using var tail = await RemoteSubscriber.StartAsync(events, "orders.>");
        await using var everything = await RemoteSubscriber.StartAsync(events, ">");

        // One publisher stream keeps order, so the last event proves the unmatched ones were not delivered before it.
        string[] subjects = ["orders.created", "orders.eu.created", "invoices.sent", "orders", "orders.end"];
        foreach (var subject in subjects) await events.PublishAsync(subject, Utf8($"\"{subject}\""), ct: Ct);
        await events.FlushAsync(Ct);

        Assert.Equal(["orders.created", "orders.end"], (await star.TakeAsync(2)).Select(e => e.Subject));
        Assert.Equal(["orders.created", "orders.eu.created", "orders.end"], (await tail.TakeAsync(3)).Select(e => e.Subject));
        var all = await everything.TakeAsync(5);
        Assert.Equal(subjects, all.Select(e => e.Subject));
        Assert.Equal("\"invoices.sent\"", all[2].Text);
        Assert.Equal(EventContentTypes.Json, all[2].ContentType);
        Assert.True(all[0].Sequence < all[1].Sequence);
        Assert.InRange(all[0].PublishedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.All(all, e => Assert.Equal(0, e.Dropped));
    }

    [Fact]
    public async Task Content_types_and_typed_json_cross_the_wire()
    {
        await using var events = Connect();
        await using var subscriber = await RemoteSubscriber.StartAsync(events, "jobs.>");
        await events.PublishAsync("jobs.blob", new byte[] { 0, 1, 2 }, EventContentTypes.Binary, Ct);
        await events.PublishAsync("jobs.done", new JobDone("build", 3), Ct);
        await events.FlushAsync(Ct);

        var blob = await subscriber.NextAsync();
        Assert.Equal(EventContentTypes.Binary, blob.ContentType);
        Assert.False(blob.IsText);
        Assert.Equal(new byte[] { 0, 1, 2 }, blob.Payload.ToArray());
        var done = await subscriber.NextAsync();
        Assert.Equal("""{"name":"build","tasks":3}""", done.Text);
        Assert.Equal(new JobDone("build", 3), done.ReadJson<JobDone>());
    }

    private sealed record JobDone(string Name, int Tasks);

    [Fact]
    public async Task A_subscriber_can_replay_the_recent_history_then_follow_live_without_duplicates()
    {
        await using var events = Connect();
        await events.PublishAsync("metrics.cpu", Utf8("1"), ct: Ct);
        await events.PublishAsync("logs.line", Utf8("\"x\""), ct: Ct);
        await events.PublishAsync("metrics.mem", Utf8("2"), ct: Ct);
        await events.FlushAsync(Ct);

        await using var replaying = await RemoteSubscriber.StartAsync(events, "metrics.*", replayRecent: true);
        await using var live = await RemoteSubscriber.StartAsync(events, "metrics.*");
        await events.PublishAsync("metrics.disk", Utf8("3"), ct: Ct);
        await events.FlushAsync(Ct);

        Assert.Equal(["metrics.cpu", "metrics.mem", "metrics.disk"], (await replaying.TakeAsync(3)).Select(e => e.Subject));
        Assert.Equal("metrics.disk", (await live.NextAsync()).Subject);

        var recent = await events.RecentAsync("metrics.>", Ct);
        Assert.Equal(["metrics.cpu", "metrics.mem", "metrics.disk"], recent.Select(e => e.Subject));
        Assert.Equal("3", recent[^1].Text);
    }

    [Fact]
    public async Task A_subscriber_that_never_reads_does_not_hold_up_a_fast_one_and_its_drops_are_counted()
    {
        await using var publisher = Connect();
        await using var fastConnection = Connect();
        await using var slowConnection = Connect();
        await using var fast = await RemoteSubscriber.StartAsync(fastConnection, "load.>");

        // The slow subscriber takes its first event and then stops reading.
        var slowLive = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = slowConnection.SubscribeAsync("load.>", new ClusterSubscribeOptions { BufferCapacity = 16, Subscribed = () => slowLive.TrySetResult() }, Ct)
            .GetAsyncEnumerator(Ct);
        var slowFirst = slow.MoveNextAsync();
        await slowLive.Task.WaitAsync(Timeout, Ct);

        // Paced by the fast subscriber so that it never overflows its own buffer; far more than the slow one's
        // buffer plus what HTTP/2 flow control lets its connection hold.
        const int Rounds = 40, PerRound = 500;
        var payload = new byte[16];
        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < PerRound; i++) await publisher.PublishAsync("load.tick", payload, EventContentTypes.Binary, Ct);
            await publisher.FlushAsync(Ct);
            var received = await fast.TakeAsync(PerRound);
            Assert.All(received, e => Assert.Equal(0, e.Dropped));
        }
        Assert.True(_coordinator.Events.Dropped > 0, "the slow subscriber's buffer should have overflowed");

        Assert.True(await slowFirst.AsTask().WaitAsync(Timeout, Ct));
        // Its buffer is still full when it starts reading again, so one end marker could be dropped like the rest:
        // repeat it until the slow subscriber has seen one.
        using var seen = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var marking = Task.Run(async () =>
        {
            while (!seen.IsCancellationRequested)
            {
                await publisher.PublishAsync("load.end", Utf8("{}"), ct: seen.Token);
                await publisher.FlushAsync(seen.Token);
                await Task.Delay(20, seen.Token);
            }
        }, Ct);
        long ticks = 1;
        while (true)
        {
            Assert.True(await slow.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct));
            if (slow.Current.Subject != "load.end")
            {
                ticks++;
                continue;
            }
            Assert.True(slow.Current.Dropped > 0);
            Assert.True(ticks < Rounds * PerRound);
            // Dropped may also count end markers, so at least every tick is accounted for.
            Assert.True(ticks + slow.Current.Dropped >= Rounds * PerRound, $"{ticks} received + {slow.Current.Dropped} dropped");
            break;
        }
        await seen.CancelAsync();
        try
        {
            await marking;
        }
        catch (OperationCanceledException)
        {
            // Stopped mid-publish or mid-delay; both are how it ends.
        }
        await slow.DisposeAsync();
    }

    [Fact]
    public async Task A_remote_subscriber_hears_node_joined_when_a_node_joins()
    {
        await using var events = Connect();
        await using var nodes = await RemoteSubscriber.StartAsync(events, SystemEvents.AllNodes);

        await _cluster.StartNodeAsync("n1", cancellationToken: Ct);

        var joined = await nodes.NextAsync();
        Assert.Equal(SystemEvents.NodeJoined, joined.Subject);
        using var json = JsonDocument.Parse(joined.Payload);
        Assert.Equal("n1", json.RootElement.GetProperty("name").GetString());
        Assert.Equal("alive", json.RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Disposing_the_enumerator_ends_the_subscription_on_the_coordinator()
    {
        await using var events = Connect();
        var before = _coordinator.Events.SubscriberCount;
        var subscriber = await RemoteSubscriber.StartAsync(events, ">");
        Assert.Equal(before + 1, _coordinator.Events.SubscriberCount);
        await subscriber.DisposeAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Timeout);
        // The server learns of the cancellation asynchronously; nothing announces it, so look until it shows.
        while (_coordinator.Events.SubscriberCount != before) await Task.Delay(10, timeout.Token);
    }

    [Fact]
    public async Task Stopping_the_coordinator_ends_remote_subscriptions_promptly_with_a_clear_error()
    {
        await using var events = Connect();
        var live = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in events.SubscribeAsync(">", new ClusterSubscribeOptions { Subscribed = () => live.TrySetResult() }, Ct)) { }
        }, Ct);
        await live.Task.WaitAsync(Timeout, Ct);

        // The open stream must not hold the stop up: the coordinator ends it and says why (a stream cut off at the
        // host's shutdown timeout would end with a broken connection instead).
        await _coordinator.StopAsync(Ct).WaitAsync(Timeout, Ct);
        var error = await Assert.ThrowsAsync<ClusterUnreachableException>(() => reading.WaitAsync(Timeout, Ct));
        Assert.Equal($"cannot reach the cluster at {ClusterAddress.Format(_coordinator.Address)}: the coordinator is stopping", error.Message);
    }

    [Fact]
    public async Task A_wrong_token_is_an_unauthenticated_error_naming_the_coordinator()
    {
        await using var events = Connect("wrong");
        var expected = $"the coordinator at {ClusterAddress.Format(_coordinator.Address)} refused the cluster token (unauthenticated)";

        var subscribe = await Assert.ThrowsAsync<SkeinException>(async () =>
        {
            await foreach (var _ in events.SubscribeAsync(">", ct: Ct)) { }
        });
        Assert.Equal(expected, subscribe.Message);

        await events.PublishAsync("a.b", Utf8("1"), ct: Ct);
        var flush = await Assert.ThrowsAsync<SkeinException>(() => events.FlushAsync(Ct));
        Assert.Equal(expected, flush.Message);
    }

    [Fact]
    public async Task Bad_patterns_and_subjects_are_refused_with_a_message_naming_them()
    {
        await using var events = Connect();
        var pattern = Assert.Throws<ArgumentException>(() => events.SubscribeAsync("a.>.c", ct: Ct));
        Assert.StartsWith("The subject pattern 'a.>.c' is invalid: '>' is token 2", pattern.Message);
        var subject = await Assert.ThrowsAsync<ArgumentException>(() => events.PublishAsync("a.*", Utf8("1"), ct: Ct));
        Assert.StartsWith("The subject 'a.*' is invalid", subject.Message);

        // Clients in other languages meet the coordinator's own check: INVALID_ARGUMENT with the same words.
        using var channel = GrpcChannel.ForAddress(_coordinator.Address);
        var raw = new Protocol.Events.EventsClient(channel);
        var headers = new Metadata { { ClusterToken.Header, _token } };
        var badSubscribe = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = raw.Subscribe(new SubscribeRequest { Pattern = "a..b" }, headers, cancellationToken: Ct);
            await call.ResponseStream.MoveNext(Ct);
        });
        Assert.Equal(StatusCode.InvalidArgument, badSubscribe.StatusCode);
        Assert.StartsWith("The subject pattern 'a..b' is invalid: token 2 is empty", badSubscribe.Status.Detail);

        var batch = new PublishBatch();
        batch.Events.Add(new OutgoingEvent { Subject = "ok.one" });
        batch.Events.Add(new OutgoingEvent { Subject = "bad subject" });
        var badPublish = await Assert.ThrowsAsync<RpcException>(async () => await raw.PublishAsync(batch, headers, cancellationToken: Ct));
        Assert.Equal(StatusCode.InvalidArgument, badPublish.StatusCode);
        Assert.StartsWith("The subject 'bad subject' is invalid", badPublish.Status.Detail);
    }

    [Fact]
    public async Task A_publish_ack_names_the_bus_sequence_of_the_batchs_last_event()
    {
        using var channel = GrpcChannel.ForAddress(_coordinator.Address);
        var raw = new Protocol.Events.EventsClient(channel);
        var headers = new Metadata { { ClusterToken.Header, _token } };
        using var subscription = raw.Subscribe(new SubscribeRequest { Pattern = "acked.>" }, headers, cancellationToken: Ct);
        Assert.True(await subscription.ResponseStream.MoveNext(Ct)); // the empty batch that says it is live
        var batch = new PublishBatch();
        batch.Events.Add(new OutgoingEvent { Subject = "acked.one", Payload = ByteString.CopyFromUtf8("1") });
        batch.Events.Add(new OutgoingEvent { Subject = "acked.two", Payload = ByteString.CopyFromUtf8("2") });

        var ack = await raw.PublishAsync(batch, headers, cancellationToken: Ct);

        var seen = new List<Protocol.Event>();
        while (seen.Count < 2)
        {
            Assert.True(await subscription.ResponseStream.MoveNext(Ct).WaitAsync(Timeout, Ct));
            seen.AddRange(subscription.ResponseStream.Current.Events);
        }
        Assert.Equal(2, ack.Published);
        Assert.Equal(seen[1].Sequence, ack.LastSequence);

        // On the streaming publisher too: each ack names its own batch's last event.
        using var stream = raw.PublishStream(headers, cancellationToken: Ct);
        var one = new PublishBatch();
        one.Events.Add(new OutgoingEvent { Subject = "acked.three" });
        await stream.RequestStream.WriteAsync(one, Ct);
        Assert.True(await stream.ResponseStream.MoveNext(Ct).WaitAsync(Timeout, Ct));
        Assert.True(stream.ResponseStream.Current.LastSequence > ack.LastSequence);
        Assert.Equal(1, stream.ResponseStream.Current.Published);
        await stream.RequestStream.CompleteAsync();
    }
}
