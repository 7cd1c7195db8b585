using System.Runtime.CompilerServices;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Skein.Cluster.Internal;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Events;

/// <summary>
/// Publishes to and subscribes on a coordinator's event bus over gRPC. Publishing only queues: one
/// stream carries the queue to the coordinator in batches, so a publisher is not held up by the
/// network; <see cref="FlushAsync"/> waits until the coordinator has published what was queued.
/// Delivery is at most once, to the subscriptions live when the coordinator publishes. Failures
/// become <see cref="SkeinException"/>s naming the coordinator's address.
/// </summary>
/// <remarks>
/// Only <see cref="DisposeAsync"/>: closing sends what is still queued, which is network work that a synchronous
/// <c>Dispose</c> could only do by blocking its thread (and deadlocking a caller with a synchronization context).
/// </remarks>
public sealed class ClusterEvents : IAsyncDisposable
{
    /// <summary>Events queued for sending before <see cref="PublishAsync(string, ReadOnlyMemory{byte}, string, CancellationToken)"/> waits.</summary>
    public const int PublishQueueCapacity = 65_536;

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan ConnectTimeout = ClusterChannel.DefaultTimeout;

    private readonly ClusterChannel _channel;
    private readonly bool _ownsChannel;
    private readonly Protocol.Events.EventsClient _client;
    private readonly EventPublisher _publisher;
    private int _disposed;

    public ClusterEvents(Uri address, string token)
        : this(new ClusterChannel(address, token, ConnectTimeout), ownsChannel: true)
    {
    }

    /// <summary>For an owner (such as a client of the whole cluster) that shares one channel among several APIs.</summary>
    internal ClusterEvents(ClusterChannel channel, bool ownsChannel = false)
    {
        _channel = channel;
        _ownsChannel = ownsChannel;
        _client = new Protocol.Events.EventsClient(channel.CallInvoker);
        _publisher = new EventPublisher(channel, PublishQueueCapacity);
    }

    public Uri Address => _channel.Address;

    /// <summary>
    /// Queues an event for the coordinator to publish; completes once queued, which is at once
    /// unless <see cref="PublishQueueCapacity"/> events are already waiting. The payload is copied.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="subject"/> is not a valid subject, or the payload is over <see cref="EventLimits.DefaultMaxPayloadBytes"/>
    /// (refused here, before it is queued, so the other events of its batch are not lost with it).
    /// </exception>
    /// <exception cref="SkeinException">An earlier batch was lost because the stream to the coordinator failed; the message says why.</exception>
    public Task PublishAsync(string subject, ReadOnlyMemory<byte> payload, string contentType = EventContentTypes.Json, CancellationToken ct = default)
    {
        Subject.Validate(subject);
        EventLimits.CheckPayload(subject, payload.Length, EventLimits.DefaultMaxPayloadBytes);
        ArgumentNullException.ThrowIfNull(contentType);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var evt = new OutgoingEvent
        {
            Subject = subject,
            Payload = ByteString.CopyFrom(payload.Span),
            // Empty means JSON on the wire, which saves the bytes on the most common kind.
            ContentType = contentType == EventContentTypes.Json ? "" : contentType,
        };
        return _publisher.EnqueueAsync(evt, ct);
    }

    /// <summary>Queues <paramref name="value"/> serialized as JSON with the web defaults (camelCase names).</summary>
    /// <remarks>Bytes given here (a <c>byte[]</c> binds to this overload before the memory one) are sent as they are, not as a JSON string.</remarks>
    public Task PublishAsync<T>(string subject, T value, CancellationToken ct = default) => value switch
    {
        byte[] bytes => PublishAsync(subject, bytes.AsMemory(), EventContentTypes.Json, ct),
        ReadOnlyMemory<byte> memory => PublishAsync(subject, memory, EventContentTypes.Json, ct),
        Memory<byte> memory => PublishAsync(subject, memory, EventContentTypes.Json, ct),
        _ => PublishAsync(subject, JsonSerializer.SerializeToUtf8Bytes(value, JsonOptions), EventContentTypes.Json, ct),
    };

    /// <summary>Waits until the coordinator has published every event queued before this call.</summary>
    /// <exception cref="SkeinException">Some of them were lost because the stream to the coordinator failed.</exception>
    public Task FlushAsync(CancellationToken ct = default) => _publisher.FlushAsync(ct);

    /// <summary>
    /// Streams the events matching <paramref name="pattern"/> (<c>*</c> one token, <c>&gt;</c> the rest)
    /// until <paramref name="ct"/> is cancelled or the enumerator is disposed, which ends the
    /// subscription on the coordinator too.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is not a valid pattern (thrown at once).</exception>
    public IAsyncEnumerable<ClusterEvent> SubscribeAsync(string pattern, bool replayRecent = false, CancellationToken ct = default) =>
        SubscribeAsync(pattern, new ClusterSubscribeOptions { ReplayRecent = replayRecent }, ct);

    /// <inheritdoc cref="SubscribeAsync(string, bool, CancellationToken)"/>
    public IAsyncEnumerable<ClusterEvent> SubscribeAsync(string pattern, ClusterSubscribeOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Parsed here so a bad pattern fails at the call, not at the first MoveNextAsync.
        SubjectPattern.Parse(pattern);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var request = new SubscribeRequest { Pattern = pattern, ReplayRecent = options.ReplayRecent, BufferCapacity = options.BufferCapacity };
        return StreamAsync(request, options.Subscribed, ct);
    }

    /// <summary>The coordinator's recent history matching <paramref name="pattern"/>, oldest first.</summary>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is not a valid pattern.</exception>
    public async Task<IReadOnlyList<ClusterEvent>> RecentAsync(string pattern, CancellationToken ct = default)
    {
        SubjectPattern.Parse(pattern);
        var events = new List<ClusterEvent>();
        await foreach (var evt in StreamAsync(new SubscribeRequest { Pattern = pattern, HistoryOnly = true }, null, ct).ConfigureAwait(false))
            events.Add(evt);
        return events;
    }

    private async IAsyncEnumerable<ClusterEvent> StreamAsync(SubscribeRequest request, Action? subscribed, [EnumeratorCancellation] CancellationToken ct)
    {
        // Disposing the call (with the enumerator) cancels it, which ends the subscription on the coordinator.
        using var call = _client.Subscribe(request, cancellationToken: ct);
        var stream = call.ResponseStream;
        var first = true;
        while (await MoveNextAsync(stream, ct).ConfigureAwait(false))
        {
            var batch = stream.Current;
            if (first)
            {
                // The coordinator's first message is an empty batch saying the subscription is live.
                first = false;
                subscribed?.Invoke();
            }
            var events = batch.Events;
            for (var i = 0; i < events.Count; i++) yield return FromWire(events[i], batch.Dropped);
        }
    }

    private async Task<bool> MoveNextAsync(IAsyncStreamReader<EventBatch> stream, CancellationToken ct)
    {
        try
        {
            return await stream.MoveNext(ct).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException("the subscription was cancelled", ex, ct);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
        {
            // The coordinator's own words name the subject or pattern; the address adds nothing.
            throw new SkeinException(ex.Status.Detail, ex);
        }
        catch (RpcException ex)
        {
            throw _channel.Explain(ex);
        }
    }

    private static ClusterEvent FromWire(Event evt, long dropped) => new(
        evt.Subject,
        evt.Payload.Memory,
        evt.ContentType.Length == 0 ? EventContentTypes.Json : evt.ContentType,
        evt.Sequence,
        EventTime.FromUnixNanoseconds(evt.TimeUnixNano),
        dropped);

    /// <summary>Sends what is still queued (for a few seconds at most), then closes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _publisher.DisposeAsync().ConfigureAwait(false);
        if (_ownsChannel) _channel.Dispose();
    }
}
