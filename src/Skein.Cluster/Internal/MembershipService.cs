using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Skein.Cluster.Membership;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Internal;

/// <summary>The gRPC face of <see cref="MembershipRegistry"/>: node sessions and the node list.</summary>
internal sealed class MembershipService(MembershipRegistry registry, CoordinatorOptions options, IHostApplicationLifetime lifetime)
    : Protocol.Membership.MembershipBase
{
    public override async Task Session(IAsyncStreamReader<NodeMessage> requestStream, IServerStreamWriter<CoordinatorMessage> responseStream, ServerCallContext context)
    {
        var stopping = lifetime.ApplicationStopping;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, stopping);
        var ct = linked.Token;
        if (!await requestStream.MoveNext(ct).ConfigureAwait(false)) return;
        if (requestStream.Current.BodyCase != NodeMessage.BodyOneofCase.Register)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a session must start with Register"));
        var member = Admit(requestStream.Current.Register, context);
        var ended = false;
        try
        {
            await responseStream.WriteAsync(new CoordinatorMessage
            {
                Registered = new Registered { NodeId = member.NodeId, HeartbeatIntervalMs = (int)options.HeartbeatInterval.TotalMilliseconds },
            }, ct).ConfigureAwait(false);
            while (await requestStream.MoveNext(ct).ConfigureAwait(false))
            {
                var message = requestStream.Current;
                if (message.BodyCase == NodeMessage.BodyOneofCase.Heartbeat)
                {
                    if (!registry.Heartbeat(member.NodeId))
                        throw new RpcException(new Status(StatusCode.FailedPrecondition, "this node was declared lost; register again"));
                }
                else if (message.BodyCase == NodeMessage.BodyOneofCase.Leave)
                {
                    registry.Leave(member.NodeId, message.Leave.Reason);
                    ended = true;
                    return;
                }
            }
        }
        catch (Exception ex) when (stopping.IsCancellationRequested && ex is OperationCanceledException or IOException or RpcException)
        {
            // The coordinator is stopping: tell the node, so it reconnects instead of treating it as a fault.
            try
            {
                await responseStream.WriteAsync(new CoordinatorMessage
                {
                    Control = new Control { Kind = ControlKind.CoordinatorStopping, Reason = "the coordinator is stopping" },
                }).ConfigureAwait(false);
            }
            catch (Exception writeFailure) when (writeFailure is IOException or InvalidOperationException or OperationCanceledException)
            {
                // The node is gone already.
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The node's connection broke; handled below.
        }
        finally
        {
            if (!ended) registry.SessionBroken(member.NodeId);
        }
    }

    public override Task<ListNodesReply> ListNodes(ListNodesRequest request, ServerCallContext context)
    {
        var reply = new ListNodesReply();
        foreach (var member in registry.List()) reply.Nodes.Add(ToInfo(member));
        return Task.FromResult(reply);
    }

    private Member Admit(Register register, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(register.Name))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a node must have a name"));
        var labels = new Dictionary<string, string>(register.Labels, StringComparer.Ordinal);
        var address = register.Address.Length > 0 ? register.Address : PeerHost(context.Peer);
        try
        {
            return registry.Register(new NodeRegistration(register.Name, register.Hostname, address, register.Cores, register.MemoryBytes, labels, register.ProcessId));
        }
        catch (NodeNameInUseException ex)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, ex.Message));
        }
    }

    // "ipv4:127.0.0.1:53122" → "127.0.0.1": where the node connected from, until nodes serve calls of their own.
    private static string PeerHost(string peer)
    {
        var colon = peer.IndexOf(':', StringComparison.Ordinal);
        var rest = colon >= 0 ? peer[(colon + 1)..] : peer;
        var port = rest.LastIndexOf(':');
        return port > 0 ? rest[..port].Trim('[', ']') : rest;
    }

    private static NodeInfo ToInfo(Member member)
    {
        var r = member.Registration;
        var info = new NodeInfo
        {
            NodeId = member.NodeId,
            Name = r.Name,
            Hostname = r.Hostname,
            Address = r.Address,
            State = member.State switch
            {
                MemberState.Alive => NodeState.Alive,
                MemberState.Lost => NodeState.Lost,
                _ => NodeState.Left,
            },
            Cores = r.Cores,
            MemoryBytes = r.MemoryBytes,
            LastHeartbeat = Timestamp.FromDateTimeOffset(member.LastHeartbeat),
            Joined = Timestamp.FromDateTimeOffset(member.Joined),
            ProcessId = r.ProcessId,
        };
        foreach (var (key, value) in r.Labels) info.Labels[key] = value;
        return info;
    }
}
