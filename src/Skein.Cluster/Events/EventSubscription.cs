using System.Threading.Channels;

namespace Skein.Cluster.Events;

/// <summary>
/// A live subscription to an <see cref="EventBus"/>: enumerate it (once) to receive the events
/// whose subject matches <see cref="Pattern"/>; dispose it to stop. Disposing ends the enumeration
/// after the events already buffered.
/// </summary>
public sealed class EventSubscription : IAsyncEnumerable<BusEvent>, IDisposable, IAsyncDisposable
{
    private readonly EventBus _bus;
    private readonly Channel<BusEvent> _channel;
    private readonly int _capacity;
    private readonly long _maxBytes;
    private int _buffered;
    private long _bufferedBytes;
    private long _dropped;
    private long _skipThrough;
    private long _delivered;
    private int _enumerated;
    private int _disposed;

    internal EventSubscription(EventBus bus, SubjectPattern pattern, int capacity, long maxBytes = EventLimits.DefaultBufferMaxBytes)
    {
        _maxBytes = maxBytes;
        _bus = bus;
        Pattern = pattern;
        // Unbounded with one reader, bounded by _buffered: writing and reading then take no lock,
        // where a bounded channel locks on both ends for every event the publisher and reader pass.
        _capacity = capacity;
        _channel = Channel.CreateUnbounded<BusEvent>(new UnboundedChannelOptions
        {
            SingleReader = true,
            SingleWriter = false,
            // The publisher must not run the subscriber's continuation on its own thread.
            AllowSynchronousContinuations = false,
        });
    }

    public SubjectPattern Pattern { get; }

    /// <summary>For the gRPC bridge, which drains the buffer in batches rather than one event per await.</summary>
    internal ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

    internal bool TryRead([System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out BusEvent evt)
    {
        if (!_channel.Reader.TryRead(out evt)) return false;
        Interlocked.Decrement(ref _buffered);
        Interlocked.Add(ref _bufferedBytes, -evt.Payload.Length);
        return true;
    }

    /// <summary>Events this subscription missed because its buffer was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The payload bytes waiting in this subscription's buffer.</summary>
    public long BufferedBytes => Interlocked.Read(ref _bufferedBytes);

    /// <summary>Events accepted into this subscription's buffer.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Events numbered up to <paramref name="sequence"/> were replayed from the history; delivering them again would repeat them.</summary>
    internal void SkipThrough(long sequence) => Volatile.Write(ref _skipThrough, sequence);

    internal bool TryDeliver(BusEvent evt)
    {
        if (evt.Sequence <= Volatile.Read(ref _skipThrough)) return false;
        // Claim a place and the bytes first, so concurrent publishers can never overfill the buffer together. An
        // event over the byte bound on its own still goes into an empty buffer, or the subscriber could never see it.
        var size = evt.Payload.Length;
        var count = Interlocked.Increment(ref _buffered);
        var bytes = Interlocked.Add(ref _bufferedBytes, size);
        if (count > _capacity || (bytes > _maxBytes && bytes - size > 0))
        {
            Interlocked.Decrement(ref _buffered);
            Interlocked.Add(ref _bufferedBytes, -size);
            // A disposed subscription refuses too; that is not a drop.
            if (Volatile.Read(ref _disposed) == 0)
            {
                Interlocked.Increment(ref _dropped);
                _bus.CountDrop();
            }
            return false;
        }
        if (_channel.Writer.TryWrite(evt))
        {
            Interlocked.Increment(ref _delivered);
            return true;
        }
        Interlocked.Decrement(ref _buffered);
        Interlocked.Add(ref _bufferedBytes, -size);
        return false;
    }

    /// <summary>Ends the stream without unregistering; used by the bus when it is disposed itself.</summary>
    internal void Complete()
    {
        Volatile.Write(ref _disposed, 1);
        _channel.Writer.TryComplete();
    }

    public IAsyncEnumerator<BusEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        // The channel is single-reader for speed, so a second reader would break it silently.
        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
            throw new InvalidOperationException($"The subscription to '{Pattern}' is already being enumerated; subscribe again for a second reader.");
        return ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    private async IAsyncEnumerable<BusEvent> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await _channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (TryRead(out var evt)) yield return evt;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _bus.Remove(this);
        _channel.Writer.TryComplete();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
