using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Skein.Cluster.Membership;
using Skein.Cluster.Protocol;
using Skein.Cluster.Configuration;
using Skein.Cluster.Services;

namespace Skein.Cluster.Endpoints;

/// <summary>The gRPC face of <see cref="MembershipRegistry"/>: node sessions, the node and service lists, and the watch stream.</summary>
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
                else if (message.BodyCase == NodeMessage.BodyOneofCase.ServicesChanged)
                {
                    if (!ReplaceServices(member.NodeId, message.ServicesChanged))
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

    public override Task<ListServicesReply> ListServices(ListServicesRequest request, ServerCallContext context) =>
        Task.FromResult(ServiceCatalog.From(registry.List()));

    public override async Task Watch(WatchRequest request, IServerStreamWriter<WatchEvent> responseStream, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var ct = linked.Token;
        using var watch = registry.Watch();
        try
        {
            await responseStream.WriteAsync(WatchEvents.Snapshot(watch.Snapshot), ct).ConfigureAwait(false);
            await foreach (var change in watch.Changes.ReadAllAsync(ct).ConfigureAwait(false))
                await responseStream.WriteAsync(WatchEvents.From(change), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client went away, or the coordinator is stopping: ending the stream tells a client to watch again later.
            return;
        }
        if (watch.FellBehind)
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "this watcher fell behind the cluster's changes; watch again for a fresh snapshot"));
    }

    private bool ReplaceServices(string nodeId, ServicesChanged changed)
    {
        try
        {
            return registry.ReplaceServices(nodeId, changed.Services.FromWire());
        }
        catch (InvalidServiceListException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }

    private Member Admit(Register register, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(register.Name))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a node must have a name"));
        var labels = new Dictionary<string, string>(register.Labels, StringComparer.Ordinal);
        var registration = new NodeRegistration(register.Name, register.Hostname, PeerHost(context.Peer), register.Cores, register.MemoryBytes, labels, register.ProcessId)
        {
            CallAddress = register.Address,
            Services = register.Services.FromWire(),
            Slots = register.Slots,
        };
        try
        {
            return registry.Register(registration);
        }
        catch (NodeNameInUseException ex)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, ex.Message));
        }
        catch (InvalidServiceListException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }

    // "ipv4:127.0.0.1:53122" → "127.0.0.1": where the node connected from; its call address is Register.address.
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
            CallAddress = r.CallAddress,
            Slots = r.OfferedSlots,
        };
        foreach (var (key, value) in r.Labels) info.Labels[key] = value;
        var services = new List<string>(member.Services.Count);
        foreach (var service in member.Services) services.Add(service.Name);
        services.Sort(StringComparer.Ordinal);
        info.Services.AddRange(services);
        return info;
    }
}
