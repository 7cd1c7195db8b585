namespace Skein.Cluster.Events;

/// <summary>
/// A fixed-size ring of the most recent events, oldest overwritten first. Not thread-safe: the bus
/// appends to it and reads it under its own lock, in sequence order.
/// </summary>
internal sealed class EventHistory(int capacity)
{
    private readonly BusEvent[] _ring = new BusEvent[capacity];
    private int _next;
    private int _count;

    public void Add(BusEvent evt)
    {
        _ring[_next] = evt;
        _next = _next + 1 == _ring.Length ? 0 : _next + 1;
        if (_count < _ring.Length) _count++;
    }

    /// <summary>The events matching <paramref name="pattern"/>, oldest first.</summary>
    public List<BusEvent> Matching(SubjectPattern pattern)
    {
        var result = new List<BusEvent>();
        var start = _count < _ring.Length ? 0 : _next;
        for (var i = 0; i < _count; i++)
        {
            var evt = _ring[(start + i) % _ring.Length];
            if (pattern.Matches(evt.Subject)) result.Add(evt);
        }
        return result;
    }
}
