using Grpc.Core;
using Skein.Cluster.Addressing;
using Skein.Cluster.Barriers;
using Skein.Cluster.Internal;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Client;

/// <summary>Arrives at the coordinator's barriers (the Rendezvous service) for a <see cref="SkeinClient"/>.</summary>
internal sealed class BarrierClient(ClusterChannel channel, TimeProvider time)
{
    // The coordinator answers a timed-out arrival itself; the call's own deadline only guards against a coordinator
    // that went silent, so it comes later, by enough for a busy one.
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    private readonly Protocol.Rendezvous.RendezvousClient _rendezvous = new(channel.CallInvoker);

    public static void Validate(string barrier, string participant, int count, IReadOnlyCollection<string> expected, string context, TimeSpan timeout)
    {
        if (BarrierLimits.Problem(barrier, participant, count, expected, context, timeout) is { } problem) throw new ArgumentException(problem);
    }

    public async Task<BarrierResult> ArriveAsync(string barrier, string participant, int count, IReadOnlyList<string> expected, string context,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        Validate(barrier, participant, count, expected, context, timeout);
        var request = new ArriveRequest
        {
            Barrier = barrier,
            Participant = participant,
            Count = count,
            Context = context,
            TimeoutMs = Math.Max(1, (long)Math.Ceiling(timeout.TotalMilliseconds)),
        };
        request.Expected.Add(expected);
        ArriveReply reply;
        try
        {
            reply = await _rendezvous.ArriveAsync(request, deadline: time.GetUtcNow().UtcDateTime + timeout + Grace, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"arriving at barrier '{barrier}' was cancelled", ex, cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled)
        {
            throw new OperationCanceledException($"arriving at barrier '{barrier}' was cancelled: the client was closed", ex);
        }
        catch (RpcException ex)
        {
            throw Explain(barrier, ex);
        }
        var arrived = reply.Arrived.Select(a => new KeyValuePair<string, string>(a.Participant, a.Context)).ToList();
        if (reply.TimedOut) throw new BarrierTimeoutException(barrier, timeout, reply.Count, [.. arrived.Select(a => a.Key)], [.. reply.Missing]);
        return new BarrierResult(barrier, arrived);
    }

    private Exception Explain(string barrier, RpcException ex) => ex.StatusCode switch
    {
        StatusCode.InvalidArgument => new ArgumentException(ex.Status.Detail, ex),
        StatusCode.FailedPrecondition or StatusCode.AlreadyExists or StatusCode.ResourceExhausted => new SkeinException(ex.Status.Detail, ex),
        StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown => new SkeinException(
            $"barrier '{barrier}' failed: the coordinator at {ClusterAddress.Format(channel.Address)} went away while this participant waited " +
            $"({(ex.Status.Detail.Length > 0 ? ex.Status.Detail : ex.StatusCode.ToString())}); barriers do not outlive the coordinator, so arrive again once it is back", ex),
        StatusCode.DeadlineExceeded => new SkeinException(
            $"barrier '{barrier}' failed: the coordinator at {ClusterAddress.Format(channel.Address)} did not answer, not even when the barrier's timeout passed", ex),
        _ => channel.Explain(ex),
    };
}
