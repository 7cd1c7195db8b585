using Skein.Modules;
using Skein.Cluster.NodeControl;

namespace Skein.Cluster.Apps;

/// <summary>An app with modules loaded under its name (the <c>app</c> label of a module), as the nodes report them.</summary>
public sealed record RunningApp(string Name, IReadOnlyList<ModuleInfo> Modules)
{
    /// <summary>The nodes its modules run on, in name order.</summary>
    public IReadOnlyList<string> Nodes => Modules.Select(m => m.Node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>Groups every node's modules by their app label; modules loaded on their own belong to no app.</summary>
    public static IReadOnlyDictionary<string, RunningApp> From(IEnumerable<ModuleInfo> modules) =>
        modules.Where(m => m.App.Length > 0)
            .GroupBy(m => m.App, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new RunningApp(g.Key, g.ToList()), StringComparer.Ordinal);
}
