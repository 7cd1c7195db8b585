using System.Text;
using Skein.Engine;
using Skein.Modules;
using Skein.Testing;
using Skein.Yaml;
using Skein.Cluster.Client;

namespace Skein.Cluster.Tests.Architecture;

/// <summary>
/// The namespaces inside each product assembly form layers: none depends, directly or through others, on a namespace
/// that depends back on it. A namespace and its parent are separate layers. Dependencies are read from the built
/// assembly, method bodies included (<see cref="NamespaceGraph"/>), so a cycle made only by a <c>new</c> inside a
/// method is found too.
/// </summary>
public sealed class NamespaceCycleTests
{
    public static TheoryData<string> ProductAssemblies => new()
    {
        typeof(InstanceMode).Assembly.Location,
        typeof(NodeReader).Assembly.Location,
        typeof(Job).Assembly.Location,
        typeof(ModuleLoaders).Assembly.Location,
        typeof(ClusterClient).Assembly.Location,
        typeof(TestCluster).Assembly.Location,
    };

    /// <summary>
    /// Dependencies that still close a cycle, by assembly ("From → To"), taken out of the graph until they are fixed. It
    /// is empty: every product assembly is layered. A listed one that no longer closes a cycle fails the test, so the
    /// list only shrinks, and any other cycle fails it at once.
    /// </summary>
    private static readonly Dictionary<string, string[]> KnownCycleEdges = new();

    [Theory]
    [MemberData(nameof(ProductAssemblies))]
    public void Namespaces_do_not_depend_on_each_other_in_a_cycle(string assembly)
    {
        var graph = NamespaceGraph.Read(assembly);
        var known = KnownCycleEdges.GetValueOrDefault(Path.GetFileNameWithoutExtension(assembly), [])
            .Select(e => e.Split(" → ")).Select(e => (From: e[0], To: e[1])).ToList();

        var fixedOnes = known.Where(e => !NamespaceCycles.ClosesCycle(graph.Edges, e.From, e.To)).Select(e => $"{e.From} → {e.To}").ToList();
        Assert.True(fixedOnes.Count == 0, $"no longer closes a cycle, remove it from {nameof(KnownCycleEdges)}: {string.Join("; ", fixedOnes)}");
        var cycles = NamespaceCycles.Find(NamespaceCycles.Without(graph.Edges, known));

        if (cycles.Count == 0) return;
        var message = new StringBuilder($"namespaces of {Path.GetFileNameWithoutExtension(assembly)} depend on each other in a cycle:");
        foreach (var (path, group) in cycles)
        {
            message.Append("\n  ").Append(string.Join(" → ", path));
            for (var i = 0; i + 1 < path.Count; i++) message.Append("\n      ").Append(graph.Edges[path[i]][path[i + 1]]);
            if (group.Count > path.Count - 1)
            {
                message.Append($"\n    in a group of {group.Count} namespaces that reach each other:");
                foreach (var from in group)
                foreach (var (to, why) in graph.Edges[from].Where(e => group.Contains(e.Key)).OrderBy(e => e.Key, StringComparer.Ordinal))
                    message.Append($"\n      {from} → {to}: {why}");
            }
        }
        Assert.Fail(message.ToString());
    }

    [Fact]
    public void A_cycle_is_named_as_a_path_back_to_where_it_starts()
    {
        var edges = new Dictionary<string, Dictionary<string, string>>
        {
            ["A"] = new() { ["B"] = "" },
            ["B"] = new() { ["C"] = "" },
            ["C"] = new() { ["A"] = "", ["D"] = "" },
            ["D"] = new() { ["E"] = "" },
            ["E"] = new() { ["D"] = "" },
            ["F"] = new() { ["A"] = "" },
        };

        var cycles = NamespaceCycles.Find(edges);

        Assert.Equal([["A", "B", "C", "A"], ["D", "E", "D"]], cycles.Select(c => c.Path));
        Assert.Equal([["A", "B", "C"], ["D", "E"]], cycles.Select(c => c.Group));
    }

    [Fact]
    public void A_dependency_made_only_inside_a_method_body_or_a_lambda_is_seen()
    {
        var graph = NamespaceGraph.Read(typeof(NamespaceCycleTests).Assembly.Location);

        var caller = graph.Edges[typeof(Samples.Caller.Maker).Namespace!];
        Assert.Contains(typeof(Samples.Callee.Made).Namespace!, caller.Keys);
        Assert.Contains(typeof(Samples.Callee.MadeLater).Namespace!, caller.Keys);
        Assert.DoesNotContain(graph.Edges.Keys, ns => ns.Contains('<', StringComparison.Ordinal));
    }
}
