namespace Skein.Examples.Services;

/// <summary>Pooled: every node hosting it takes a share of the calls.</summary>
[Service("worker")]
public interface IWorker
{
    /// <summary>Does a little work on <paramref name="item"/> and says which node did it.</summary>
    Task<WorkDone> ProcessAsync(string item, CancellationToken cancellationToken = default);
}

/// <param name="Item">The item, upper-cased: the "work".</param>
/// <param name="Node">The node that did it (from SKEIN_NODE, which every node sets for the services it hosts).</param>
/// <param name="ProcessId">The node's process.</param>
public sealed record WorkDone(string Item, string Node, int ProcessId);

[ServiceInstance(InstanceMode.Pooled)]
public sealed class Worker : IWorker
{
    public async Task<WorkDone> ProcessAsync(string item, CancellationToken cancellationToken = default)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
        return new WorkDone(item.ToUpperInvariant(), Environment.GetEnvironmentVariable("SKEIN_NODE") ?? "?", Environment.ProcessId);
    }
}
