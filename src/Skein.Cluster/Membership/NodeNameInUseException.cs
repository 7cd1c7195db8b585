namespace Skein.Cluster.Membership;

/// <summary>A node tried to join under the name of a node that is still alive.</summary>
public sealed class NodeNameInUseException(string name)
    : SkeinException($"a node named '{name}' is already alive in this cluster; give this one another --name")
{
    public string Name { get; } = name;
}
