using System.Threading.Channels;
using Grpc.Core;
using Skein.Cluster.Internal;
using Skein.Cluster.Protocol;
using Skein.Cluster.Addressing;

namespace Skein.Cluster.Events;

/// <summary>
/// Publishes through one long-lived <c>PublishStream</c> call: callers only enqueue, and a single
/// writer sends whatever is queued when the previous message has gone as the next batch. That is
/// what makes thousands of publishes per millisecond possible. The coordinator acknowledges each
/// batch; <see cref="FlushAsync"/> waits for those acknowledgements.
/// </summary>
internal sealed class EventPublisher : IAsyncDisposable
{
    // Bounds one message well below gRPC's default 4 MB limit; under load batches fill to these sizes.
    private const int MaxBatchEvents = 4096;
    private const int MaxBatchBytes = 1 << 20;
    private static readonly TimeSpan DisposeGrace = TimeSpan.FromSeconds(5);

    private readonly ClusterChannel _channel;
    private readonly Protocol.Events.EventsClient _client;
    // Unbounded with one reader: writing and reading take no lock, unlike a bounded channel, which
    // matters when publishers and the writer take turns on every event. _queued bounds it instead.
    private readonly Channel<OutgoingEvent> _queue;
    private readonly int _capacity;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writer;
    private long _queued;
    private TaskCompletionSource _space = NewSignal();
    private long _enqueued;
    // Events the writer is done with: acknowledged by the coordinator, or lost with a broken stream.
    private long _handled;
    private SkeinException? _fault;
    private TaskCompletionSource _progress = NewSignal();

    public EventPublisher(ClusterChannel channel, int queueCapacity)
    {
        _channel = channel;
        _client = new Protocol.Events.EventsClient(channel.CallInvoker);
        _capacity = queueCapacity;
        _queue = Channel.CreateUnbounded<OutgoingEvent>(new UnboundedChannelOptions
        {
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
        _writer = Task.Run(RunAsync);
    }

    /// <summary>Completes once the event is queued, which is at once unless the queue is full.</summary>
    public Task EnqueueAsync(OutgoingEvent evt, CancellationToken ct)
    {
        ThrowFault();
        // A soft bound: publishers racing past the check may overshoot it by one event each.
        if (Interlocked.Read(ref _queued) >= _capacity) return EnqueueWhenThereIsSpaceAsync(evt, ct);
        Write(evt);
        return Task.CompletedTask;
    }

    private void Write(OutgoingEvent evt)
    {
        Interlocked.Increment(ref _queued);
        if (!_queue.Writer.TryWrite(evt))
        {
            Interlocked.Decrement(ref _queued);
            throw new ObjectDisposedException(nameof(EventPublisher), "the event publisher is disposed");
        }
        Interlocked.Increment(ref _enqueued);
    }

    private async Task EnqueueWhenThereIsSpaceAsync(OutgoingEvent evt, CancellationToken ct)
    {
        while (true)
        {
            var space = Volatile.Read(ref _space);
            if (Interlocked.Read(ref _queued) < _capacity) break;
            await space.Task.WaitAsync(ct).ConfigureAwait(false);
        }
        Write(evt);
    }

    /// <summary>Waits until the coordinator has published everything queued before this call; throws if some of it was lost.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var target = Interlocked.Read(ref _enqueued);
        while (Interlocked.Read(ref _handled) < target)
        {
            var progress = Volatile.Read(ref _progress);
            if (Interlocked.Read(ref _handled) >= target) break;
            await progress.Task.WaitAsync(ct).ConfigureAwait(false);
        }
        ThrowFault();
    }

    private void ThrowFault()
    {
        if (Volatile.Read(ref _fault) is { } fault && Interlocked.CompareExchange(ref _fault, null, fault) == fault) throw fault;
    }

    private async Task RunAsync()
    {
        var ct = _stopping.Token;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
                await PublishOverOneStreamAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private async Task PublishOverOneStreamAsync(CancellationToken ct)
    {
        var reader = _queue.Reader;
        var progress = new StreamProgress();
        long sent = 0;
        using var call = _client.PublishStream(cancellationToken: ct);
        var acknowledging = ReadAcksAsync(call.ResponseStream, progress, ct);
        try
        {
            while (true)
            {
                var batch = new PublishBatch();
                var bytes = 0;
                while (batch.Events.Count < MaxBatchEvents && bytes < MaxBatchBytes && reader.TryRead(out var evt))
                {
                    batch.Events.Add(evt);
                    bytes += evt.Payload.Length + evt.Subject.Length;
                }
                if (batch.Events.Count > 0)
                {
                    Interlocked.Add(ref _queued, -batch.Events.Count);
                    Interlocked.Exchange(ref _space, NewSignal()).TrySetResult();
                    sent += batch.Events.Count;
                    await call.RequestStream.WriteAsync(batch, ct).ConfigureAwait(false);
                    continue;
                }
                // Idle: keep the stream for the next burst, but notice at once if the coordinator ends it.
                var more = reader.WaitToReadAsync(ct).AsTask();
                if (await Task.WhenAny(more, acknowledging).ConfigureAwait(false) == acknowledging)
                {
                    await acknowledging.ConfigureAwait(false);
                    throw new SkeinException($"the coordinator at {ClusterAddress.Format(_channel.Address)} ended the event stream");
                }
                if (!await more.ConfigureAwait(false)) break; // completed by DisposeAsync
            }
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            await acknowledging.ConfigureAwait(false);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is RpcException or SkeinException or InvalidOperationException or IOException)
        {
            var error = ex as SkeinException ?? (ex is RpcException failed ? _channel.Explain(failed) : null);
            try
            {
                // The response stream carries the coordinator's reason when a write merely saw the call end.
                await acknowledging.WaitAsync(DisposeGrace, ct).ConfigureAwait(false);
            }
            catch (RpcException rpc)
            {
                error = _channel.Explain(rpc);
            }
            catch (TimeoutException)
            {
                // No reason coming; keep what the write saw.
            }
            error ??= new SkeinException($"the event stream to the coordinator at {ClusterAddress.Format(_channel.Address)} broke: {ex.Message}", ex);
            // At most once: what was sent but not acknowledged is lost, and the next publish or flush says why.
            Volatile.Write(ref _fault, error);
            Interlocked.Add(ref _handled, sent - Volatile.Read(ref progress.Acknowledged));
            Signal();
        }
    }

    private async Task ReadAcksAsync(IAsyncStreamReader<PublishAck> acks, StreamProgress progress, CancellationToken ct)
    {
        while (await acks.MoveNext(ct).ConfigureAwait(false))
        {
            var published = acks.Current.Published;
            Interlocked.Add(ref _handled, published - progress.Acknowledged);
            Volatile.Write(ref progress.Acknowledged, published);
            Signal();
        }
    }

    private void Signal() => Interlocked.Exchange(ref _progress, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Sends what is queued (for a few seconds at most), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(DisposeGrace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Whatever is still queued is dropped: at most once.
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _writer.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancelled mid-write.
        }
        catch (RpcException)
        {
            // Cancelled mid-write.
        }
        _stopping.Dispose();
    }

    private sealed class StreamProgress
    {
        public long Acknowledged;
    }
}
