using Skein.Cluster.Protocol;

namespace Skein.Cluster.Services.Transport;

/// <summary>Where one side of a call stream puts the envelopes it sends.</summary>
internal interface IEnvelopeSink
{
    /// <summary>Sends without waiting: for answers that must not wait behind others (errors, control envelopes).</summary>
    void Send(Envelope envelope);

    /// <summary>
    /// Sends, first waiting while the sink is full, so that a producer faster than its reader is slowed to its pace.
    /// Sinks without a bound send at once.
    /// </summary>
    ValueTask SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        Send(envelope);
        return default;
    }
}
