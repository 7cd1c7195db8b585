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
    // Numbering and recording happen under one lock when there is a history, so the history is in
    // sequence order; that is what lets a replaying subscriber tell replayed from live events.
    private readonly Lock _historyLock = new();
    private readonly EventHistory? _history;
    // Copy-on-write: publishers read the array without locking; only subscribe and unsubscribe copy it.
    private EventSubscription[] _subscriptions = [];
    private readonly int _maxPayloadBytes;
    private long _sequence;
    private long _dropped;
    private bool _disposed;

    /// <param name="time">The clock of the events' publishing times.</param>
    /// <param name="historyCapacity">How many recent events to keep for <see cref="Recent"/> and replaying subscribers; 0 keeps none.</param>
    /// <param name="historyMaxBytes">The payload bytes the history keeps at most, oldest events dropped first.</param>
    /// <param name="maxPayloadBytes">The largest payload one event may carry; <see cref="Publish(string, ReadOnlyMemory{byte}, string)"/> refuses a larger one.</param>
    public EventBus(TimeProvider? time = null, int historyCapacity = 0, long historyMaxBytes = EventLimits.DefaultHistoryMaxBytes,
        int maxPayloadBytes = EventLimits.DefaultMaxPayloadBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(historyCapacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(historyMaxBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPayloadBytes);
        _time = time ?? TimeProvider.System;
        _maxPayloadBytes = maxPayloadBytes;
        if (historyCapacity > 0) _history = new EventHistory(historyCapacity, historyMaxBytes);
    }

    /// <summary>The largest payload one event may carry.</summary>
    public int MaxPayloadBytes => _maxPayloadBytes;

    /// <summary>The payload bytes the history holds now.</summary>
    public long HistoryBytes
    {
        get
        {
            if (_history is not { } history) return 0;
            lock (_historyLock) return history.Bytes;
        }
    }

    /// <summary>The last sequence number handed out; the number of events published so far.</summary>
    public long Published => Interlocked.Read(ref _sequence);

    /// <summary>Events dropped across all subscriptions because their buffers were full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public int SubscriberCount => Volatile.Read(ref _subscriptions).Length;

    /// <summary>Publishes an event; returns how many subscriptions accepted it into their buffers.</summary>
    /// <exception cref="ArgumentException"><paramref name="subject"/> is not a valid subject, or the payload is over <see cref="MaxPayloadBytes"/>.</exception>
    public int Publish(string subject, ReadOnlyMemory<byte> payload) => Publish(subject, payload, EventContentTypes.Json);

    /// <summary>Publishes an event with the given content type; returns how many subscriptions accepted it into their buffers.</summary>
    /// <exception cref="ArgumentException"><paramref name="subject"/> is not a valid subject, or the payload is over <see cref="MaxPayloadBytes"/>.</exception>
    public int Publish(string subject, ReadOnlyMemory<byte> payload, string contentType) => Publish(subject, payload, contentType, out _);

    /// <summary>Publishes an event; <paramref name="sequence"/> is the number the bus gave it (what a publisher's ack reports).</summary>
    internal int Publish(string subject, ReadOnlyMemory<byte> payload, string contentType, out long sequence)
    {
        Subject.Validate(subject);
        EventLimits.CheckPayload(subject, payload.Length, _maxPayloadBytes);
        ArgumentNullException.ThrowIfNull(contentType);
        BusEvent? evt = null;
        if (_history is { } history)
        {
            lock (_historyLock)
            {
                sequence = Interlocked.Increment(ref _sequence);
                evt = new BusEvent(subject, payload, sequence, _time.GetUtcNow(), contentType);
                history.Add(evt);
            }
        }
        else
        {
            sequence = Interlocked.Increment(ref _sequence);
        }
        var subscriptions = Volatile.Read(ref _subscriptions);
        if (subscriptions.Length == 0) return 0;

        // Without a history, created only once something matches, so unmatched subjects cost no allocation.
        var delivered = 0;
        foreach (var subscription in subscriptions)
        {
            if (!subscription.Pattern.Matches(subject)) continue;
            evt ??= new BusEvent(subject, payload, sequence, _time.GetUtcNow(), contentType);
            if (subscription.TryDeliver(evt)) delivered++;
        }
        return delivered;
    }

    /// <summary>Subscribes to the subjects matching <paramref name="pattern"/>; events published from now on are delivered.</summary>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is not a valid pattern.</exception>
    public EventSubscription Subscribe(string pattern, EventBusSubscriptionOptions? options = null)
    {
        var subscription = Create(pattern, options);
        Add(subscription);
        return subscription;
    }

    /// <summary>
    /// Subscribes and returns, in <paramref name="recent"/>, the events of the history matching the
    /// pattern (oldest first). The subscription then delivers only later events: none is both in
    /// <paramref name="recent"/> and delivered, and none published after the call is missing from both.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is not a valid pattern.</exception>
    public EventSubscription Subscribe(string pattern, EventBusSubscriptionOptions? options, out IReadOnlyList<BusEvent> recent)
    {
        var subscription = Create(pattern, options);
        if (_history is not { } history)
        {
            Add(subscription);
            recent = [];
            return subscription;
        }
        // No event is numbered while the history lock is held, so everything numbered up to now is
        // in the snapshot (or older than it) and everything after sees this subscription registered.
        lock (_historyLock)
        {
            Add(subscription);
            subscription.SkipThrough(Interlocked.Read(ref _sequence));
            recent = history.Matching(subscription.Pattern);
        }
        return subscription;
    }

    /// <summary>The events of the history matching <paramref name="pattern"/>, oldest first; empty when the bus keeps no history.</summary>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is not a valid pattern.</exception>
    public IReadOnlyList<BusEvent> Recent(string pattern)
    {
        var parsed = SubjectPattern.Parse(pattern);
        if (_history is not { } history) return [];
        lock (_historyLock) return history.Matching(parsed);
    }

    private EventSubscription Create(string pattern, EventBusSubscriptionOptions? options)
    {
        var parsed = SubjectPattern.Parse(pattern);
        options ??= DefaultOptions;
        options.Validate();
        return new EventSubscription(this, parsed, options.BufferCapacity, options.BufferMaxBytes);
    }

    private void Add(EventSubscription subscription)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var current = _subscriptions;
            var next = new EventSubscription[current.Length + 1];
            current.CopyTo(next, 0);
            next[^1] = subscription;
            Volatile.Write(ref _subscriptions, next);
        }
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
