using Skein.Cluster;
using Skein.Cluster.Membership;
using Skein.Modules;
using Skein.Cluster.NodeControl;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;

namespace Skein.Bench.Modules.Cluster;

/// <summary>
/// A real cluster of two processes, as an operator starts one: <c>skein coordinator</c> and one <c>skein node</c>
/// allowed to load from the bench's module directories, both on 127.0.0.1 with ports of their own choosing and a
/// temporary state directory. The bench drives the node's module control and calls its services as any client does.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    public const string NodeName = "modbench-node";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string _state;
    private readonly SkeinProcess _coordinator;
    private readonly SkeinProcess _node;

    private BenchCluster(string state, SkeinProcess coordinator, SkeinProcess node, ModuleControl control, SkeinClient client)
    {
        _state = state;
        _coordinator = coordinator;
        _node = node;
        Control = control;
        Client = client;
    }

    /// <summary>The node's module control (load, unload, list).</summary>
    public ModuleControl Control { get; }

    /// <summary>A client of the cluster, for calling the modules' services.</summary>
    public SkeinClient Client { get; }

    /// <summary>The node's process id, whose memory is read.</summary>
    public int NodeProcessId => _node.ProcessId;

    public static async Task<BenchCluster> StartAsync(string skein, IReadOnlyList<string> moduleDirectories, bool echo, CancellationToken cancellationToken)
    {
        var state = Directory.CreateTempSubdirectory("skein-bench-modules-").FullName;
        SkeinProcess? coordinator = null;
        SkeinProcess? node = null;
        try
        {
            coordinator = SkeinProcess.Start("coordinator", skein, ["coordinator", "--listen", "127.0.0.1:0", "--state", Path.Combine(state, "coordinator")], echo);
            var listening = await coordinator.WaitForLineAsync("coordinator listening on ", StartTimeout, cancellationToken).ConfigureAwait(false);
            var address = listening["coordinator listening on ".Length..].Trim();
            var tokenLine = await coordinator.WaitForLineAsync("token: ", StartTimeout, cancellationToken).ConfigureAwait(false);
            var tokenPath = tokenLine["token: ".Length..].Trim();

            List<string> nodeArguments =
            [
                "node", "--join", address, "--token-file", tokenPath, "--name", NodeName, "--state", Path.Combine(state, "node"),
                // Leave when the bench's end of stdin closes, so even a bench killed outright leaves no node behind.
                "--stop-with-parent",
            ];
            foreach (var directory in moduleDirectories) nodeArguments.AddRange(["--module-dir", directory]);
            node = SkeinProcess.Start("node", skein, nodeArguments, echo);
            await node.WaitForLineAsync($"node {NodeName} joined ", StartTimeout, cancellationToken).ConfigureAwait(false);

            var token = ClusterToken.Read(tokenPath);
            var callAddress = await CallAddressAsync(ClusterAddress.Parse(address), token, cancellationToken).ConfigureAwait(false);
            var control = new ModuleControl(NodeName, callAddress, token);
            try
            {
                var client = await SkeinClient.ConnectAsync(ClusterAddress.Parse(address), token, cancellationToken: cancellationToken).ConfigureAwait(false);
                return new BenchCluster(state, coordinator, node, control, client);
            }
            catch
            {
                control.Dispose();
                throw;
            }
        }
        catch
        {
            if (node is not null) await node.DisposeAsync().ConfigureAwait(false);
            if (coordinator is not null) await coordinator.DisposeAsync().ConfigureAwait(false);
            DeleteState(state);
            throw;
        }
    }

    private static async Task<string> CallAddressAsync(Uri coordinator, string token, CancellationToken cancellationToken)
    {
        using var cluster = new ClusterClient(coordinator, token);
        var node = (await cluster.ListNodesAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(n => n.Name == NodeName && n.State == MemberState.Alive);
        return node is { CallAddress.Length: > 0 }
            ? node.CallAddress
            : throw new InvalidOperationException($"the coordinator does not list node {NodeName} as alive with a call address");
    }

    /// <summary>Both processes' last output, for a failure's message.</summary>
    public string LastOutput() => $"coordinator{_coordinator.LastLines()}{Environment.NewLine}node{_node.LastLines()}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.DisposeAsync().ConfigureAwait(false);
            Control.Dispose();
        }
        finally
        {
            // The node first, so it leaves the cluster cleanly; then the coordinator.
            await _node.DisposeAsync().ConfigureAwait(false);
            await _coordinator.DisposeAsync().ConfigureAwait(false);
            DeleteState(_state);
        }
    }

    private static void DeleteState(string state)
    {
        try
        {
            Directory.Delete(state, recursive: true);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"could not delete the state directory {state}: {ex.Message}");
        }
    }
}
