using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Skein.Cluster.Internal;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services;
using Skein.Cluster.Services.Client;
using Skein.Cluster.Services.Codecs;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;

namespace Skein.Cluster.Tests.Services;

/// <summary>
/// Back-pressure over real gRPC on loopback: a connection's send queue stays within its bound however many callers
/// outpace the socket, a waiting sender can be cancelled, and a stream's consumer paces its producer.
/// </summary>
public sealed class FlowControlTests
{
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_slow_stream_consumer_keeps_the_producers_lead_within_the_window()
    {
        const int window = 8;
        const int count = 400;
        await using var node = await ProducerNode.StartAsync();
        await using var client = node.Client(new SkeinClientOptions { StreamWindow = window });
        await using var producer = await client.GetServiceAsync<ITestProducer>(Ct);
        var tag = Guid.NewGuid().ToString("N");
        var produced = TestProducer.Counter(tag);

        var read = 0L;
        var lead = 0L;
        await foreach (var item in producer.ProduceAsync(tag, count, Ct))
        {
            Assert.Equal(++read, item);
            // A slow consumer: before taking the next item, let the producer get as far ahead as credit allows
            // (half a window past this item is always within it), then see how far it actually is.
            await produced.WaitForAsync(Math.Min(count, read + window / 2), Ceiling);
            lead = Math.Max(lead, produced.Value - read);
        }

        Assert.Equal(count, read);
        Assert.InRange(lead, window / 2, window);
    }

    [Fact]
    public async Task A_caller_that_asks_for_no_flow_control_gets_every_item_as_before()
    {
        const int count = 200;
        await using var node = await ProducerNode.StartAsync();
        await using var client = node.Client(new SkeinClientOptions { StreamWindow = 0 });
        await using var producer = await client.GetServiceAsync<ITestProducer>(Ct);
        var tag = Guid.NewGuid().ToString("N");

        var items = new List<int>();
        await foreach (var item in producer.ProduceAsync(tag, count, Ct)) items.Add(item);

        Assert.Equal(Enumerable.Range(1, count), items);
    }

    [Fact]
    public async Task Many_callers_on_a_throttled_connection_wait_for_room_instead_of_growing_the_queue()
    {
        const int callers = 100;
        const int textLength = 8000;
        await using var node = await ServiceNode.StartAsync();
        var held = new HeldWrites();
        var limits = new SendQueueLimits { MaxBytes = 64 * 1024 };
        using var channel = Channel(node);
        await using var connection = new NodeConnection("n-1", node.Services.NodeName, node.Address, channel.CallInvoker.Intercept(held), limits);

        var texts = Enumerable.Range(0, callers).Select(i => $"{i:D4}" + new string('x', textLength)).ToList();
        var calls = texts.Select(text => EchoAsync(connection, text, Ct)).ToList();

        // Nothing is written while the writes are held: every caller has either been queued or is waiting for room.
        Assert.InRange(connection.SendQueue.QueuedBytes, 1, limits.MaxBytes);
        Assert.True(connection.SendQueue.WaitingSenders >= callers - limits.MaxBytes / textLength,
            $"{connection.SendQueue.WaitingSenders} of {callers} callers wait for room");

        held.Open();
        var replies = await Task.WhenAll(calls).WaitAsync(Ceiling, Ct);

        Assert.Equal(texts.Select(Json), replies);
        Assert.InRange(connection.SendQueue.PeakQueuedBytes, 1, limits.MaxBytes);
        Assert.Equal(0, connection.SendQueue.QueuedBytes);
    }

    [Fact]
    public async Task A_sender_waiting_for_room_can_be_cancelled_or_abandoned_and_its_request_is_never_sent()
    {
        await using var node = await ServiceNode.StartAsync();
        var held = new HeldWrites();
        var limits = new SendQueueLimits { MaxBytes = 16 * 1024 };
        using var channel = Channel(node);
        await using var connection = new NodeConnection("n-1", node.Services.NodeName, node.Address, channel.CallInvoker.Intercept(held), limits);
        var text = new string('y', 6000);
        var filling = Enumerable.Range(0, 4).Select(_ => EchoAsync(connection, text, Ct)).ToList();

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var cancelled = connection.BeginAsync(EchoRequest("cancelled"), connection.NewUnary(), cancel.Token).AsTask();
        var abandonedConversation = connection.NewUnary();
        var abandonedRequest = EchoRequest("abandoned");
        var abandoned = connection.BeginAsync(abandonedRequest, abandonedConversation, Ct).AsTask();
        Assert.False(cancelled.IsCompleted);
        Assert.False(abandoned.IsCompleted);

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Ceiling, Ct));
        Assert.True(connection.Abandon(abandonedRequest.ConversationId, RemoteErrors.Local(RemoteErrorKind.DeadlineExceeded, "too late", "node-a", "test-echo")));
        await abandoned.WaitAsync(Ceiling, Ct);
        var failure = await Assert.ThrowsAsync<RemoteException>(() => abandonedConversation.Reply.WaitAsync(Ceiling, Ct));
        Assert.Equal(RemoteErrorKind.DeadlineExceeded, failure.Kind);
        Assert.Equal(4, connection.Waiting); // the four that fill the queue, and neither of the two given up on

        held.Open();
        Assert.All(await Task.WhenAll(filling).WaitAsync(Ceiling, Ct), reply => Assert.Equal(Json(text), reply));
        // Answers come back in the order the node took the requests: had either been sent, its answer would be here by now.
        Assert.Equal(Json("last"), await EchoAsync(connection, "last", Ct).WaitAsync(Ceiling, Ct));
        Assert.Equal(0, connection.LateReplies);
    }

    private static ClusterChannel Channel(ServiceNode node) =>
        new(ClusterAddress.Parse(node.Address), ServiceNode.Token, Ceiling, MessageLimits.TransportLimit(MessageLimits.DefaultMaxMessageBytes));

    private static async Task<string> EchoAsync(NodeConnection connection, string text, CancellationToken cancellationToken)
    {
        var conversation = connection.NewUnary();
        await connection.BeginAsync(EchoRequest(text), conversation, cancellationToken);
        var reply = await conversation.Reply;
        Assert.Equal(EnvelopeStatus.Ok, reply.Status);
        return reply.Payload.ToStringUtf8();
    }

    private static Envelope EchoRequest(string text) => new()
    {
        Kind = EnvelopeKind.Request,
        Service = "test-echo",
        Method = "Echo",
        ContentType = JsonPayloadCodec.MediaType,
        Payload = ByteString.CopyFromUtf8($"[{Json(text)}]"),
    };

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    /// <summary>Holds every write of the call stream until <see cref="Open"/>: a socket that has stopped taking data.</summary>
    private sealed class HeldWrites : Interceptor
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
            ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
        {
            var call = continuation(context);
            return new AsyncDuplexStreamingCall<TRequest, TResponse>(new HeldWriter<TRequest>(call.RequestStream, _open.Task), call.ResponseStream,
                call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
        }

        private sealed class HeldWriter<T>(IClientStreamWriter<T> inner, Task open) : IClientStreamWriter<T>
        {
            public WriteOptions? WriteOptions
            {
                get => inner.WriteOptions;
                set => inner.WriteOptions = value;
            }

            public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

            public async Task WriteAsync(T message, CancellationToken cancellationToken)
            {
                await open.WaitAsync(cancellationToken);
                await inner.WriteAsync(message, cancellationToken);
            }

            public Task CompleteAsync() => inner.CompleteAsync();
        }
    }

    /// <summary>A node hosting only <see cref="TestProducer"/>.</summary>
    private sealed class ProducerNode : IAsyncDisposable
    {
        private ProducerNode(NodeHost host) => Host = host;

        private NodeHost Host { get; }

        public static async Task<ProducerNode> StartAsync()
        {
            var services = new ServiceHost("node-p");
            services.Add<ITestProducer, TestProducer>();
            return new ProducerNode(await NodeHost.StartAsync(services, ServiceNode.Token));
        }

        public SkeinClient Client(SkeinClientOptions options)
        {
            var address = $"{Host.Address.Host}:{Host.Address.Port}";
            var routes = Host.Services.Describe().Select(s => new ServiceLocation("n-p", Host.Services.NodeName, address, s));
            return ServiceNode.Client(new StaticRoutes(routes), options);
        }

        public ValueTask DisposeAsync() => Host.DisposeAsync();
    }
}

[Service("test-producer")]
public interface ITestProducer : IAsyncDisposable
{
    /// <summary>Yields 1..<paramref name="count"/>, counting each item in <see cref="TestProducer.Counter"/> as it is produced.</summary>
    IAsyncEnumerable<int> ProduceAsync(string tag, int count, CancellationToken cancellationToken = default);
}

public sealed class TestProducer : ITestProducer
{
    private static readonly ConcurrentDictionary<string, ProgressCounter> s_counters = new();

    public static ProgressCounter Counter(string tag) => s_counters.GetOrAdd(tag, _ => new ProgressCounter());

    public async IAsyncEnumerable<int> ProduceAsync(string tag, int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var counter = Counter(tag);
        for (var i = 1; i <= count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            counter.Advance();
            yield return i;
            await Task.Yield();
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A count that only grows, and can be waited on to reach a value (instead of sleeping and looking).</summary>
public sealed class ProgressCounter
{
    private readonly Lock _gate = new();
    private readonly List<(long Target, TaskCompletionSource Reached)> _waiting = [];
    private long _value;

    public long Value
    {
        get { lock (_gate) return _value; }
    }

    public void Advance()
    {
        List<TaskCompletionSource>? reached = null;
        lock (_gate)
        {
            _value++;
            for (var i = _waiting.Count - 1; i >= 0; i--)
            {
                if (_waiting[i].Target > _value) continue;
                (reached ??= []).Add(_waiting[i].Reached);
                _waiting.RemoveAt(i);
            }
        }
        if (reached is not null) foreach (var done in reached) done.TrySetResult();
    }

    public Task WaitForAsync(long target, TimeSpan ceiling)
    {
        TaskCompletionSource reached;
        lock (_gate)
        {
            if (_value >= target) return Task.CompletedTask;
            reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((target, reached));
        }
        return reached.Task.WaitAsync(ceiling);
    }
}
