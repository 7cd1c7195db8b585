using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Skein.Cluster.Barriers;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Endpoints;

/// <summary>
/// The gRPC face of the coordinator's <see cref="BarrierBoard"/>: one call per arrival, held open until the barrier
/// releases or the arrival times out. The call's end (the client cancelled or went away) withdraws the participant,
/// and a coordinator that stops ends every waiting call with UNAVAILABLE rather than leaving it to hang.
/// </summary>
internal sealed class RendezvousService(BarrierBoard board, IHostApplicationLifetime lifetime) : Protocol.Rendezvous.RendezvousBase
{
    public override async Task<ArriveReply> Arrive(ArriveRequest request, ServerCallContext context)
    {
        // A timeout past the limit is refused by the board; clamped here only so that the TimeSpan is representable.
        var timeout = TimeSpan.FromMilliseconds(Math.Clamp(request.TimeoutMs, -1, (long)BarrierLimits.MaxTimeout.TotalMilliseconds + 1));
        var arrival = new BarrierArrival(request.Barrier, request.Participant, request.Count, [.. request.Expected], request.Context, timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        BarrierOutcome outcome;
        try
        {
            outcome = await board.ArriveAsync(arrival, linked.Token).ConfigureAwait(false);
        }
        catch (BarrierRefusedException ex)
        {
            throw new RpcException(new Status(ex.Reason switch
            {
                BarrierRefusal.Invalid => StatusCode.InvalidArgument,
                BarrierRefusal.Conflict => StatusCode.FailedPrecondition,
                BarrierRefusal.Duplicate => StatusCode.AlreadyExists,
                _ => StatusCode.ResourceExhausted,
            }, ex.Message));
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable,
                $"the coordinator is stopping: barrier '{request.Barrier}' will not release, and a restarted coordinator does not know it; arrive again there"));
        }
        var reply = new ArriveReply { TimedOut = outcome.TimedOut, Count = outcome.Count };
        foreach (var (participant, value) in outcome.Arrived) reply.Arrived.Add(new Arrival { Participant = participant, Context = value });
        reply.Missing.Add(outcome.Missing);
        return reply;
    }
}
