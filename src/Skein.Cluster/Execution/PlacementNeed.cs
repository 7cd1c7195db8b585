using Skein.Shared.Text;
using Skein.Cluster.Protocol.Tasks;
using Skein.Engine;

namespace Skein.Cluster.Execution;

/// <summary>What one attempt needs of a node: room (cores, memory) and a match (labels, name, host).</summary>
internal sealed record PlacementNeed(string Task, int Cores, long MemoryBytes, IReadOnlyDictionary<string, string> Labels, string? Node, string? Host)
{
    /// <summary>The SHA-256 of the artifacts the attempt receives: among the least loaded nodes, one holding them is preferred.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>The most input hashes a requirement carries; more only make the preference no better.</summary>
    public const int MaxInputs = 1024;

    public static PlacementNeed Of(TaskSpec task) => new(
        task.Id,
        Math.Max(task.Resources.Cores, 1),
        Math.Max(task.Resources.MemoryBytes, 0),
        task.Placement?.Labels ?? new Dictionary<string, string>(),
        task.Placement?.Node,
        task.Placement?.Host);

    public static PlacementNeed From(Requirement requirement) => new(
        requirement.Task,
        Math.Max(requirement.Cores, 1),
        Math.Max(requirement.MemoryBytes, 0),
        new Dictionary<string, string>(requirement.Labels, StringComparer.Ordinal),
        requirement.Node.Length == 0 ? null : requirement.Node,
        requirement.Host.Length == 0 ? null : requirement.Host)
    {
        Inputs = requirement.Inputs.Count == 0 ? [] : [.. requirement.Inputs.Take(MaxInputs)],
    };

    public Requirement ToProto()
    {
        var requirement = new Requirement { Task = Task, Cores = Cores, MemoryBytes = MemoryBytes, Node = Node ?? "", Host = Host ?? "" };
        foreach (var (key, value) in Labels) requirement.Labels[key] = value;
        requirement.Inputs.AddRange(Inputs.Take(MaxInputs));
        return requirement;
    }

    /// <summary>"2 cores", "1 core and 4 GiB of memory".</summary>
    public string Room => MemoryBytes > 0 ? $"{Plural(Cores, "core")} and {ByteSize.Format(MemoryBytes)} of memory" : Plural(Cores, "core");

    public static string Plural(int count, string what) => count == 1 ? $"1 {what}" : $"{count} {what}s";
}
