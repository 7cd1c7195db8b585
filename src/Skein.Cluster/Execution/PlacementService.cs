using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Skein.Cluster.Protocol.Tasks;

namespace Skein.Cluster.Execution;

/// <summary>The gRPC face of the <see cref="PlacementLedger"/> (tasks.proto): holds of room for attempts, and the pre-run check.</summary>
internal sealed class PlacementService(PlacementLedger ledger, IHostApplicationLifetime lifetime) : Placement.PlacementBase
{
    private const int MaxRequirements = 1_000_000;
    private const int MaxTextLength = 4096;

    public override async Task Hold(HoldRequest request, IServerStreamWriter<HoldUpdate> responseStream, ServerCallContext context)
    {
        if (request.Requirement is null) throw new RpcException(new Status(StatusCode.InvalidArgument, "a hold needs a requirement"));
        Check(request.Requirement);
        var need = PlacementNeed.From(request.Requirement);
        var holder = request.Holder.Length > MaxTextLength ? request.Holder[..MaxTextLength] : request.Holder;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var ct = linked.Token;
        PlacementLedger.Grant? grant = null;
        try
        {
            string? told = null;
            while (true)
            {
                var changed = ledger.Changed;
                grant = ledger.TryAcquire(need, holder, out var reason);
                if (grant is not null) break;
                if (reason != told)
                {
                    await responseStream.WriteAsync(new HoldUpdate { Waiting = new Waiting { Reason = reason } }, ct).ConfigureAwait(false);
                    told = reason;
                }
                await changed.WaitAsync(ct).ConfigureAwait(false);
            }
            await responseStream.WriteAsync(new HoldUpdate
            {
                Granted = new Granted
                {
                    GrantId = grant.Id,
                    NodeId = grant.NodeId,
                    NodeName = grant.NodeName,
                    CallAddress = grant.CallAddress,
                    Hostname = grant.Hostname,
                },
            }, ct).ConfigureAwait(false);
            // Held until the holder ends the call, or the node goes.
            var revoked = await grant.Revoked.WaitAsync(ct).ConfigureAwait(false);
            await responseStream.WriteAsync(new HoldUpdate { Revoked = new Revoked { Reason = revoked } }, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The holder ended the call or went away, or the coordinator is stopping: the room is given back below.
        }
        finally
        {
            if (grant is not null) ledger.Release(grant);
        }
    }

    public override Task<CheckReply> Check(CheckRequest request, ServerCallContext context)
    {
        if (request.Requirements.Count > MaxRequirements)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"at most {MaxRequirements} requirements at once"));
        var reply = new CheckReply();
        // Tasks of one job mostly share their requirement: each distinct one is judged once.
        var seen = new Dictionary<(int, long, string, string, string), (string? Why, string Key)>();
        for (var i = 0; i < request.Requirements.Count; i++)
        {
            var requirement = request.Requirements[i];
            Check(requirement);
            var key = (requirement.Cores, requirement.MemoryBytes, requirement.Node, requirement.Host,
                string.Join('\n', requirement.Labels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
            if (!seen.TryGetValue(key, out var judged))
            {
                var why = ledger.WhyNever(PlacementNeed.From(requirement) with { Task = "\0" }, out var faulty);
                judged = (why, faulty);
                seen[key] = judged;
            }
            if (judged.Why is { } reason)
                reply.Refusals.Add(new Refusal { Index = i, Key = judged.Key, Reason = reason.Replace("'\0'", $"'{requirement.Task}'", StringComparison.Ordinal) });
        }
        return Task.FromResult(reply);
    }

    private static void Check(Requirement requirement)
    {
        if (requirement.Cores < 0 || requirement.MemoryBytes < 0)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "cores and memory must not be negative"));
        if (requirement.Labels.Count > 256 || requirement.Inputs.Count > PlacementNeed.MaxInputs || requirement.Inputs.Any(i => i.Length > 64) || requirement.Task.Length > MaxTextLength || requirement.Node.Length > MaxTextLength || requirement.Host.Length > MaxTextLength)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a requirement is bounded: at most 256 labels, 1024 input hashes and 4096 characters per name"));
    }
}
