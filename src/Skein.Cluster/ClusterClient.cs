using Grpc.Core;
using Skein.Cluster.Internal;
using Skein.Cluster.Protocol;

namespace Skein.Cluster;

/// <summary>Asks a coordinator about its cluster; failures become <see cref="SkeinException"/>s that name the address.</summary>
public sealed class ClusterClient : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);
    private readonly ClusterChannel _channel;
    private readonly Protocol.Membership.MembershipClient _membership;

    public ClusterClient(Uri address, string token)
    {
        _channel = new ClusterChannel(address, token, CallTimeout);
        _membership = new Protocol.Membership.MembershipClient(_channel.CallInvoker);
    }

    public Uri Address => _channel.Address;

    public async Task<IReadOnlyList<NodeInfo>> ListNodesAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var reply = await _membership.ListNodesAsync(new ListNodesRequest(), deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return reply.Nodes;
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw _channel.Explain(ex);
        }
    }

    /// <summary>Every service hosted by an alive node, by name, each with its hosts by node name.</summary>
    public async Task<IReadOnlyList<ServiceListing>> ListServicesAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var reply = await _membership.ListServicesAsync(new ListServicesRequest(), deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return reply.Services;
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw _channel.Explain(ex);
        }
    }

    public void Dispose() => _channel.Dispose();
}
