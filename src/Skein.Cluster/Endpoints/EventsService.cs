using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Skein.Cluster.Events;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Endpoints;

/// <summary>
/// The gRPC face of the coordinator's <see cref="EventBus"/>, which stays the single source: remote
/// publishers publish on it and remote subscribers are ordinary bus subscriptions, so system events
/// and in-process publishers reach them like anyone else.
/// </summary>
internal sealed class EventsService(EventBus bus, IHostApplicationLifetime lifetime) : Protocol.Events.EventsBase
{
    public const int MaxBufferCapacity = 1 << 20;

    public override async Task PublishStream(IAsyncStreamReader<PublishBatch> requestStream, IServerStreamWriter<PublishAck> responseStream, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var ct = linked.Token;
        var ack = new PublishAck();
        try
        {
            while (await requestStream.MoveNext(ct).ConfigureAwait(false))
            {
                ack.Published += PublishAll(requestStream.Current, ack);
                await responseStream.WriteAsync(ack, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw Stopping();
        }
    }

    public override Task<PublishAck> Publish(PublishBatch request, ServerCallContext context)
    {
        var ack = new PublishAck();
        ack.Published = PublishAll(request, ack);
        return Task.FromResult(ack);
    }

    public override async Task Subscribe(SubscribeRequest request, IServerStreamWriter<EventBatch> responseStream, ServerCallContext context)
    {
        var options = Options(request);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var ct = linked.Token;
        try
        {
            if (request.HistoryOnly)
            {
                var history = Refusing(() => bus.Recent(request.Pattern));
                await responseStream.WriteAsync(new EventBatch(), ct).ConfigureAwait(false);
                await EventBatchWriter.WriteAllAsync(history, responseStream, ct).ConfigureAwait(false);
                return;
            }

            IReadOnlyList<BusEvent> recent = [];
            using var subscription = Refusing(() => request.ReplayRecent
                ? bus.Subscribe(request.Pattern, options, out recent)
                : bus.Subscribe(request.Pattern, options));
            // The first, empty batch tells the subscriber it is live: events published from now on reach it.
            await responseStream.WriteAsync(new EventBatch(), ct).ConfigureAwait(false);
            await EventBatchWriter.WriteAllAsync(recent, responseStream, ct).ConfigureAwait(false);
            await EventBatchWriter.ForwardAsync(subscription, responseStream, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw Stopping();
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The subscriber went away; disposing the subscription above is all there is to do.
        }
    }

    /// <summary>Publishes the batch's events in order; sets <paramref name="ack"/>'s last sequence to the last one's number.</summary>
    private int PublishAll(PublishBatch batch, PublishAck ack)
    {
        var events = batch.Events;
        for (var i = 0; i < events.Count; i++)
        {
            var evt = events[i];
            var contentType = evt.ContentType.Length == 0 ? EventContentTypes.Json : evt.ContentType;
            try
            {
                // ByteString is immutable, so the bus may share its memory with every subscriber without a copy.
                bus.Publish(evt.Subject, evt.Payload.Memory, contentType, out var sequence);
                ack.LastSequence = sequence;
            }
            catch (ArgumentException ex)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
            }
        }
        return events.Count;
    }

    private static EventBusSubscriptionOptions? Options(SubscribeRequest request)
    {
        if (request.BufferCapacity == 0) return null;
        if (request.BufferCapacity is < 1 or > MaxBufferCapacity)
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"buffer capacity {request.BufferCapacity} is out of range: give 0 for the default or 1 to {MaxBufferCapacity}"));
        return new EventBusSubscriptionOptions { BufferCapacity = request.BufferCapacity };
    }

    private static T Refusing<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }

    private static RpcException Stopping() => new(new Status(StatusCode.Unavailable, "the coordinator is stopping"));
}
