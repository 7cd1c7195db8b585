using Skein.Shared.Text;
namespace Skein.Engine;

/// <summary>
/// What one attempt of a task occupies on the node it runs on: cores (slots) and memory. A run in one process
/// ignores it; a cluster executor places the attempt on a node with that much room and holds it while it runs.
/// </summary>
public sealed record TaskResources
{
    /// <summary>One core, no memory: what a task that says nothing takes.</summary>
    public static TaskResources Default { get; } = new();

    /// <summary>Slots (cores) the attempt holds. At least 1.</summary>
    public int Cores { get; init; } = 1;

    /// <summary>Memory the attempt holds, in bytes; 0: none accounted.</summary>
    public long MemoryBytes { get; init; }

    public override string ToString() => MemoryBytes == 0 ? $"{Cores} core{(Cores == 1 ? "" : "s")}" : $"{Cores} core{(Cores == 1 ? "" : "s")}, {ByteSize.Format(MemoryBytes)}";
}

/// <summary>
/// Which nodes may run a task's attempts: all that match, and null or empty parts match any node. A run in one
/// process ignores it.
/// </summary>
public sealed record TaskPlacement
{
    /// <summary>Labels the node must carry, each with this value.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The node's name, when the task must run on that node.</summary>
    public string? Node { get; init; }

    /// <summary>The node's host name, when the task must run on that machine.</summary>
    public string? Host { get; init; }

    /// <summary>True when any node would do.</summary>
    public bool IsAnywhere => Labels.Count == 0 && Node is null && Host is null;

    /// <summary>Equal when every part is (the labels compared as a set of pairs).</summary>
    public bool Equals(TaskPlacement? other)
    {
        if (other is null) return false;
        if (Node != other.Node || Host != other.Host || Labels.Count != other.Labels.Count) return false;
        foreach (var (key, value) in Labels)
        {
            if (!other.Labels.TryGetValue(key, out var otherValue) || value != otherValue) return false;
        }
        return true;
    }

    public override int GetHashCode() => HashCode.Combine(Node, Host, Labels.Count);

    public override string ToString()
    {
        var parts = new List<string>();
        if (Node is not null) parts.Add($"node {Node}");
        if (Host is not null) parts.Add($"host {Host}");
        foreach (var (key, value) in Labels.OrderBy(p => p.Key, StringComparer.Ordinal)) parts.Add($"label {key}={value}");
        return parts.Count == 0 ? "any node" : string.Join(", ", parts);
    }
}
