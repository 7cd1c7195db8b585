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
    private long _dropped;
    private long _skipThrough;
    private long _delivered;
    private int _enumerated;
    private int _disposed;

    internal EventSubscription(EventBus bus, SubjectPattern pattern, int capacity)
    {
        _bus = bus;
        Pattern = pattern;
        // Wait mode rather than DropWrite: TryWrite then reports a full buffer, which is what lets us
        // count drops; nobody ever waits because the bus only calls TryWrite.
        _channel = Channel.CreateBounded<BusEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            // The publisher must not run the subscriber's continuation on its own thread.
            AllowSynchronousContinuations = false,
        });
    }

    public SubjectPattern Pattern { get; }

    /// <summary>The buffer itself, for the gRPC bridge, which drains it in batches rather than one event per await.</summary>
    internal ChannelReader<BusEvent> Reader => _channel.Reader;

    /// <summary>Events this subscription missed because its buffer was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events accepted into this subscription's buffer.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Events numbered up to <paramref name="sequence"/> were replayed from the history; delivering them again would repeat them.</summary>
    internal void SkipThrough(long sequence) => Volatile.Write(ref _skipThrough, sequence);

    internal bool TryDeliver(BusEvent evt)
    {
        if (evt.Sequence <= Volatile.Read(ref _skipThrough)) return false;
        if (_channel.Writer.TryWrite(evt))
        {
            Interlocked.Increment(ref _delivered);
            return true;
        }
        // A completed writer also refuses; that is a subscription being disposed, not a drop.
        if (Volatile.Read(ref _disposed) == 0)
        {
            Interlocked.Increment(ref _dropped);
            _bus.CountDrop();
        }
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
        return _channel.Reader.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
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
