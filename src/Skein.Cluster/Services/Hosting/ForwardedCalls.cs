using System.Collections.Concurrent;
using Skein.Cluster.Modules.Process;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Transport;

namespace Skein.Cluster.Services.Hosting;

/// <summary>
/// One client connection's calls to services that a module process answers: forwarded to the module, its answers
/// sent back on the connection, a cancel passed on, and everything still open cancelled when the client goes.
/// </summary>
internal sealed class ForwardedCalls : IEnvelopeSink
{
    private readonly ServiceHost _host;
    private readonly IEnvelopeSink _replies;
    private readonly ConcurrentDictionary<ulong, (ProcessModule Module, ulong Conversation)> _open = new();
    private long _nextInstance;

    public ForwardedCalls(ServiceHost host, IEnvelopeSink replies)
    {
        _host = host;
        _replies = replies;
    }

    /// <summary>Takes the envelope if it is for a module's service (or cancels one of its calls); false otherwise.</summary>
    public bool TryReceive(Envelope envelope)
    {
        if (envelope.Kind == EnvelopeKind.Cancel)
        {
            if (!_open.TryRemove(envelope.ConversationId, out var call)) return false;
            call.Module.Cancel(call.Conversation);
            return true;
        }
        if (_host.FindModule(envelope.Service) is not { } module) return false;
        switch (envelope.Kind)
        {
            case EnvelopeKind.Open:
                // The module keeps its per-connection objects by the instance number its requests carry.
                var instance = (ulong)Interlocked.Increment(ref _nextInstance);
                _replies.Send(new Envelope { Kind = EnvelopeKind.Response, ConversationId = envelope.ConversationId, Status = EnvelopeStatus.Ok, Service = envelope.Service, Instance = instance });
                return true;
            case EnvelopeKind.Request:
                // Registered before forwarding: the answer may come back before Forward returns.
                _open[envelope.ConversationId] = (module, 0);
                var conversation = module.Forward(envelope, this);
                _open.TryUpdate(envelope.ConversationId, (module, conversation), (module, 0));
                return true;
            default:
                module.Forward(envelope, _replies);
                return true;
        }
    }

    /// <summary>The client went away: cancel what the modules are still doing for it.</summary>
    public void Close()
    {
        foreach (var id in _open.Keys)
        {
            if (_open.TryRemove(id, out var call)) call.Module.Cancel(call.Conversation);
        }
    }

    void IEnvelopeSink.Send(Envelope envelope)
    {
        if (envelope.Kind == EnvelopeKind.Response) _open.TryRemove(envelope.ConversationId, out _);
        _replies.Send(envelope);
    }
}
