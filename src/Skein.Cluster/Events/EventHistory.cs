namespace Skein.Cluster.Events;

/// <summary>
/// The most recent events, oldest dropped first once there are more than <c>capacity</c> of them or their payloads
/// hold more than <c>maxBytes</c> (the newest is always kept). Not thread-safe: the bus appends to it and reads it
/// under its own lock, in sequence order.
/// </summary>
internal sealed class EventHistory(int capacity, long maxBytes)
{
    private readonly Queue<BusEvent> _events = new();

    /// <summary>The payload bytes held now.</summary>
    public long Bytes { get; private set; }

    public int Count => _events.Count;

    public void Add(BusEvent evt)
    {
        _events.Enqueue(evt);
        Bytes += evt.Payload.Length;
        while (_events.Count > 1 && (_events.Count > capacity || Bytes > maxBytes))
            Bytes -= _events.Dequeue().Payload.Length;
    }

    /// <summary>The events matching <paramref name="pattern"/>, oldest first.</summary>
    public List<BusEvent> Matching(SubjectPattern pattern)
    {
        var result = new List<BusEvent>();
        foreach (var evt in _events)
        {
            if (pattern.Matches(evt.Subject)) result.Add(evt);
        }
        return result;
    }
}
