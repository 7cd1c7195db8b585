namespace Skein.Engine;

/// <summary>
/// A pool's ready tasks, best first: higher priority, then earlier in the job. Guarded by the run's lock.
/// </summary>
/// <remarks>
/// The tasks ready when the run starts arrive at once and usually already in order, so they are kept as a sorted
/// run read front to back in O(1); tasks released later go to a heap. Taking the best compares the two heads, so the
/// order is exactly that of a single priority queue.
/// </remarks>
internal sealed class ReadyQueue
{
    private readonly PriorityQueue<TaskNode, long> _heap = new();
    private TaskNode[] _sorted = [];
    private int _next;

    public int Count => _heap.Count + (_sorted.Length - _next);

    public void Enqueue(TaskNode node) => _heap.Enqueue(node, node.Key);

    /// <summary>Adds many tasks at once: linear when they come in order, as the tasks of a job do.</summary>
    public void EnqueueRange(List<TaskNode> nodes)
    {
        if (nodes.Count == 0) return;
        if (_next < _sorted.Length)
        {
            foreach (var node in nodes) _heap.Enqueue(node, node.Key);
            return;
        }
        var sorted = nodes.ToArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i - 1].Key <= sorted[i].Key) continue;
            Array.Sort(sorted, static (a, b) => a.Key.CompareTo(b.Key));
            break;
        }
        _sorted = sorted;
        _next = 0;
    }

    public bool TryPeekKey(out long key)
    {
        var fromSorted = _next < _sorted.Length;
        var fromHeap = _heap.TryPeek(out _, out var heapKey);
        if (fromSorted && (!fromHeap || _sorted[_next].Key < heapKey))
        {
            key = _sorted[_next].Key;
            return true;
        }
        key = heapKey;
        return fromHeap;
    }

    public bool TryDequeue(out TaskNode node)
    {
        var fromSorted = _next < _sorted.Length;
        if (_heap.TryPeek(out var heapNode, out var heapKey) && (!fromSorted || heapKey < _sorted[_next].Key))
        {
            _heap.Dequeue();
            node = heapNode;
            return true;
        }
        if (!fromSorted)
        {
            node = null!;
            return false;
        }
        node = _sorted[_next];
        // Drop the reference so a finished run does not keep the array's tasks reachable through it longer than needed.
        _sorted[_next++] = null!;
        if (_next == _sorted.Length)
        {
            _sorted = [];
            _next = 0;
        }
        return true;
    }

    public void Clear()
    {
        _heap.Clear();
        _sorted = [];
        _next = 0;
    }
}
