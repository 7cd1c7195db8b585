namespace Skein.Engine;

/// <summary>A set of workers: the ungrouped pool, or one exclusivity group's pool.</summary>
internal sealed class Pool(string? group, int capacity)
{
    public string? Group { get; } = group;
    public int Capacity { get; } = capacity;
    public int Running;
    public readonly ReadyQueue Ready = new();

    public bool HasFreeWorker => Running < Capacity;
}
