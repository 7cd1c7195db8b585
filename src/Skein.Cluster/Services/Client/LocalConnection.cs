using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Hosting;
using Skein.Cluster.Services.Transport;

namespace Skein.Cluster.Services.Client;

/// <summary>
/// Calls to a service hosted in this same process: the same envelopes and codecs as a remote call (so a service
/// behaves the same wherever its caller is), handed straight to the host without a socket.
/// </summary>
internal sealed class LocalConnection : CallConnection, IEnvelopeSink
{
    private readonly ServerConnection _server;

    public LocalConnection(ServiceHost host) : base("local", host.NodeName)
    {
        _server = new ServerConnection(host, this, inline: true);
    }

    // The reply arrives on the handler's own thread, so the caller may simply continue there.
    public override UnaryConversation NewUnary() => new(synchronousContinuations: true);

    protected override void Transmit(Envelope envelope) => _server.Receive(envelope);

    void IEnvelopeSink.Send(Envelope envelope) => Deliver(envelope);

    protected override void OnFailed() => _server.Close();
}
