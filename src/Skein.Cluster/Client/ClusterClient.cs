using Grpc.Core;
using Skein.Cluster.Internal;
using Skein.Cluster.Membership;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Client;

/// <summary>Asks a coordinator about its cluster; failures become <see cref="SkeinException"/>s that name the address.</summary>
public sealed class ClusterClient : IDisposable
{
    private static readonly TimeSpan CallTimeout = ClusterChannel.DefaultTimeout;
    private readonly ClusterChannel _channel;
    private readonly Protocol.Membership.MembershipClient _membership;

    public ClusterClient(Uri address, string token)
    {
        _channel = new ClusterChannel(address, token, CallTimeout);
        _membership = new Protocol.Membership.MembershipClient(_channel.CallInvoker);
    }

    public Uri Address => _channel.Address;

    // gRPC deadlines are wall-clock instants; they are taken from the clock as every other deadline is.
    private static DateTime Deadline() => TimeProvider.System.GetUtcNow().UtcDateTime + CallTimeout;

    /// <summary>The alive nodes that serve calls (and so module control), by name.</summary>
    public async Task<IReadOnlyList<NodeDescription>> ListCallableNodesAsync(CancellationToken cancellationToken = default) =>
        (await ListNodesAsync(cancellationToken).ConfigureAwait(false))
            .Where(n => n.State == MemberState.Alive && n.CallAddress.Length > 0)
            .OrderBy(n => n.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>The node named <paramref name="name"/> among <paramref name="alive"/>, or an error listing the alive ones.</summary>
    /// <exception cref="SkeinException">No alive node has that name.</exception>
    public static NodeDescription FindAlive(IReadOnlyList<NodeDescription> alive, string name) =>
        alive.FirstOrDefault(n => n.Name == name)
        ?? throw new SkeinException($"no alive node is named '{name}'" + (alive.Count > 0 ? $"; alive: {string.Join(", ", alive.Select(n => n.Name))}" : ""));

    public async Task<IReadOnlyList<NodeDescription>> ListNodesAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var reply = await _membership.ListNodesAsync(new ListNodesRequest(), deadline: Deadline(), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return [.. reply.Nodes.Select(n => n.FromWire())];
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw _channel.Explain(ex);
        }
    }

    /// <summary>Every service hosted by an alive node, by name, each with its hosts by node name.</summary>
    public async Task<IReadOnlyList<ListedService>> ListServicesAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var reply = await _membership.ListServicesAsync(new ListServicesRequest(), deadline: Deadline(), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return [.. reply.Services.Select(s => s.FromWire())];
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw _channel.Explain(ex);
        }
    }

    public void Dispose() => _channel.Dispose();
}
