namespace Skein.Cluster.Events;

/// <summary>
/// In-process publish/subscribe on NATS-style subjects. Delivery is at most once, to the
/// subscriptions live at the moment of publishing; each has its own bounded buffer, so a slow
/// subscriber loses events (counted in <see cref="EventSubscription.Dropped"/> and
/// <see cref="Dropped"/>) instead of slowing the publisher or the other subscribers.
/// </summary>
public sealed class EventBus : IDisposable
{
    private static readonly EventBusSubscriptionOptions DefaultOptions = new();

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    // Copy-on-write: publishers read the array without locking; only subscribe and unsubscribe copy it.
    private EventSubscription[] _subscriptions = [];
    private long _sequence;
    private long _dropped;
    private bool _disposed;

    public EventBus(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>The last sequence number handed out; the number of events published so far.</summary>
    public long Published => Interlocked.Read(ref _sequence);

    /// <summary>Events dropped across all subscriptions because their buffers were full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public int SubscriberCount => Volatile.Read(ref _subscriptions).Length;

    /// <summary>Publishes an event; returns how many subscriptions accepted it into their buffers.</summary>
    /// <exception cref="ArgumentException"><paramref name="subject"/> is not a valid subject.</exception>
    public int Publish(string subject, ReadOnlyMemory<byte> payload)
    {
        Subject.Validate(subject);
        var sequence = Interlocked.Increment(ref _sequence);
        var subscriptions = Volatile.Read(ref _subscriptions);
        if (subscriptions.Length == 0) return 0;

        // Created only once something matches, so unmatched subjects cost no allocation.
        BusEvent? evt = null;
        var delivered = 0;
        foreach (var subscription in subscriptions)
        {
            if (!subscription.Pattern.Matches(subject)) continue;
            evt ??= new BusEvent(subject, payload, sequence, _time.GetUtcNow());
            if (subscription.TryDeliver(evt)) delivered++;
        }
        return delivered;
    }

    /// <summary>Subscribes to the subjects matching <paramref name="pattern"/>; events published from now on are delivered.</summary>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is not a valid pattern.</exception>
    public EventSubscription Subscribe(string pattern, EventBusSubscriptionOptions? options = null)
    {
        var parsed = SubjectPattern.Parse(pattern);
        options ??= DefaultOptions;
        options.Validate();
        var subscription = new EventSubscription(this, parsed, options.BufferCapacity);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var current = _subscriptions;
            var next = new EventSubscription[current.Length + 1];
            current.CopyTo(next, 0);
            next[^1] = subscription;
            Volatile.Write(ref _subscriptions, next);
        }
        return subscription;
    }

    internal void CountDrop() => Interlocked.Increment(ref _dropped);

    internal void Remove(EventSubscription subscription)
    {
        lock (_lock)
        {
            var current = _subscriptions;
            var index = Array.IndexOf(current, subscription);
            if (index < 0) return;
            var next = new EventSubscription[current.Length - 1];
            Array.Copy(current, 0, next, 0, index);
            Array.Copy(current, index + 1, next, index, current.Length - index - 1);
            Volatile.Write(ref _subscriptions, next);
        }
    }

    /// <summary>Ends every subscription's enumeration; later subscribes throw and later publishes reach nobody.</summary>
    public void Dispose()
    {
        EventSubscription[] ending;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            ending = _subscriptions;
            Volatile.Write(ref _subscriptions, []);
        }
        foreach (var subscription in ending) subscription.Complete();
    }
}
