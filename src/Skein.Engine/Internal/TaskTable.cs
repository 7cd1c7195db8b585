using System.Runtime.InteropServices;

namespace Skein.Engine;

/// <summary>
/// The run's tasks by id, enumerated in the order they joined the run. Guarded by the run's lock.
/// </summary>
/// <remarks>
/// It takes over the id index that validation built for the job's tasks instead of hashing every id a second
/// time. Tasks of the job that the run does not execute (--only) keep an empty slot and count as absent.
/// </remarks>
internal sealed class TaskTable
{
    private readonly Dictionary<string, int> _index;
    private readonly List<TaskNode?> _slots;

    /// <param name="jobIndex">Slot by id for the job's tasks; the table owns it from now on.</param>
    public TaskTable(Dictionary<string, int> jobIndex, int jobTaskCount)
    {
        _index = jobIndex;
        _slots = new List<TaskNode?>(jobTaskCount);
        CollectionsMarshal.SetCount(_slots, jobTaskCount);
    }

    public int Count { get; private set; }

    /// <summary>The node of the job's task in slot <paramref name="slot"/>, or null when the run does not execute it.</summary>
    public TaskNode? this[int slot] => _slots[slot];

    public void SetJobTask(int slot, TaskNode node)
    {
        _slots[slot] = node;
        Count++;
    }

    /// <summary>A task added while running; its id is not in the run yet.</summary>
    public void Add(TaskNode node)
    {
        _index[node.Id] = _slots.Count;
        _slots.Add(node);
        Count++;
    }

    public bool TryGetValue(string id, out TaskNode node)
    {
        if (_index.TryGetValue(id, out var slot) && _slots[slot] is { } found)
        {
            node = found;
            return true;
        }
        node = null!;
        return false;
    }

    public bool ContainsKey(string id) => TryGetValue(id, out _);

    /// <summary>Every task id in the run; for "did you mean" hints, not for hot paths.</summary>
    public IEnumerable<string> Ids
    {
        get
        {
            foreach (var node in _slots)
            {
                if (node is not null) yield return node.Id;
            }
        }
    }

    public TaskNode this[string id] => TryGetValue(id, out var node) ? node : throw new KeyNotFoundException($"'{id}' is not a task of this run.");

    public Enumerator GetEnumerator() => new(_slots);

    /// <summary>Every node in the order it joined the run, skipping the empty slots.</summary>
    public struct Enumerator(List<TaskNode?> slots)
    {
        private int _next;

        public TaskNode Current { get; private set; } = null!;

        public bool MoveNext()
        {
            while (_next < slots.Count)
            {
                if (slots[_next++] is not { } node) continue;
                Current = node;
                return true;
            }
            return false;
        }
    }
}
