using Skein.Modules;
using Skein.Cluster.NodeControl;
using Skein.Cluster.Client;
using Skein.Cluster.Membership;

namespace Skein.Cluster.Apps;

/// <summary>The nodes of a running cluster, reached through each node's module control with the cluster token.</summary>
public sealed class ClusterAppNodes : IAppNodes, IDisposable
{
    private readonly Uri _coordinator;
    private readonly string _token;
    private readonly TimeSpan _timeout;
    private readonly Dictionary<string, ModuleControl> _controls = new(StringComparer.Ordinal);
    private IReadOnlyList<NodeDescription>? _alive;

    /// <param name="coordinator">The coordinator, which knows the nodes and where they serve calls.</param>
    /// <param name="timeout">How long one load or unload may take (a module process gets this long for its hello).</param>
    public ClusterAppNodes(Uri coordinator, string token, TimeSpan timeout)
    {
        _coordinator = coordinator;
        _token = token;
        _timeout = timeout;
    }

    public async Task<IReadOnlyList<string>> AliveNodesAsync(CancellationToken cancellationToken) =>
        (await AliveAsync(cancellationToken).ConfigureAwait(false)).Select(n => n.Name).ToList();

    public async Task<IReadOnlyList<ModuleInfo>> ListModulesAsync(CancellationToken cancellationToken)
    {
        var modules = new List<ModuleInfo>();
        foreach (var node in await AliveAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var module in await Control(node).ListAsync(cancellationToken).ConfigureAwait(false))
            {
                modules.Add(module.Node.Length == 0 ? module with { Node = node.Name } : module);
            }
        }
        return modules;
    }

    public async Task<ModuleInfo> LoadAsync(string node, RemoteModuleLoad request, CancellationToken cancellationToken) =>
        await (await ControlAsync(node, cancellationToken).ConfigureAwait(false)).LoadAsync(request, _timeout, cancellationToken).ConfigureAwait(false);

    public async Task UnloadAsync(string node, string module, CancellationToken cancellationToken) =>
        await (await ControlAsync(node, cancellationToken).ConfigureAwait(false)).UnloadAsync(module, _timeout, cancellationToken).ConfigureAwait(false);

    /// <summary>The alive nodes, asked of the coordinator once: one command works on one picture of the cluster.</summary>
    private async Task<IReadOnlyList<NodeDescription>> AliveAsync(CancellationToken cancellationToken)
    {
        if (_alive is not null) return _alive;
        using var client = new ClusterClient(_coordinator, _token);
        _alive = await client.ListCallableNodesAsync(cancellationToken).ConfigureAwait(false);
        return _alive;
    }

    private async Task<ModuleControl> ControlAsync(string node, CancellationToken cancellationToken)
    {
        return Control(ClusterClient.FindAlive(await AliveAsync(cancellationToken).ConfigureAwait(false), node));
    }

    private ModuleControl Control(NodeDescription node)
    {
        if (!_controls.TryGetValue(node.Name, out var control)) _controls[node.Name] = control = new ModuleControl(node.Name, node.CallAddress, _token);
        return control;
    }

    public void Dispose()
    {
        foreach (var control in _controls.Values) control.Dispose();
        _controls.Clear();
    }
}
