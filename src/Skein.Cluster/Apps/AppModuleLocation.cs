namespace Skein.Cluster.Apps;

/// <summary>A module of an app on a node, as messages name it: <c>web/stats on alpha</c>.</summary>
public readonly record struct AppModuleLocation(string App, string Module, string Node)
{
    public override string ToString() => $"{App}/{Module} on {Node}";
}
