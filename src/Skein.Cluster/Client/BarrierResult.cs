namespace Skein.Cluster.Client;

/// <summary>
/// A barrier that released its participants (<see cref="SkeinClient.BarrierAsync(string, int, TimeSpan, CancellationToken)"/>):
/// who met, in the order they arrived, and the context each brought.
/// </summary>
public sealed class BarrierResult
{
    internal BarrierResult(string name, IReadOnlyList<KeyValuePair<string, string>> arrived)
    {
        Name = name;
        Participants = [.. arrived.Select(a => a.Key)];
        Contexts = arrived.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
    }

    /// <summary>The barrier's name.</summary>
    public string Name { get; }

    /// <summary>Every participant, this one included, in the order they arrived.</summary>
    public IReadOnlyList<string> Participants { get; }

    /// <summary>Each participant's context by participant name (empty for one that brought none).</summary>
    public IReadOnlyDictionary<string, string> Contexts { get; }
}
