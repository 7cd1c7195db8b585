namespace Skein.Engine;

/// <summary>Where a task came from in a job file, so problems can point at the exact line and column.</summary>
public sealed class TaskSource
{
    private readonly Dictionary<string, SourceLocation> _keys = new(StringComparer.Ordinal);

    public TaskSource(SourceLocation location) => Location = location;

    /// <summary>The task's id in the file.</summary>
    public SourceLocation Location { get; }

    /// <summary>Records where a key (or one entry of a list key, as "needs[2]") is.</summary>
    public void Set(string key, SourceLocation location) => _keys[key] = location;

    /// <summary>The location of a key or list entry, falling back to the key, then to the task.</summary>
    public SourceLocation LocationOf(string key, int index = -1)
    {
        if (index >= 0 && _keys.TryGetValue($"{key}[{index}]", out var entry)) return entry;
        return _keys.TryGetValue(key, out var at) ? at : Location;
    }
}
