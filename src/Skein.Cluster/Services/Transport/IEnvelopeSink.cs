using Skein.Cluster.Protocol;

namespace Skein.Cluster.Services.Transport;

/// <summary>Where one side of a call stream puts the envelopes it sends; never blocks the caller.</summary>
internal interface IEnvelopeSink
{
    void Send(Envelope envelope);
}
