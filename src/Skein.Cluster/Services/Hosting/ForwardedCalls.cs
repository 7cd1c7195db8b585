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
    private readonly ConcurrentDictionary<ulong, (ProcessModule Process, ulong Conversation)> _open = new();
    // Node-wide, not per connection: a module keeps its objects by this number alone, so two clients' proxies must
    // never get the same one.
    private static long s_nextInstance;

    // The per-connection objects this connection's proxies opened in modules, released when the client goes.
    private readonly ConcurrentDictionary<ulong, (ProcessLoadedModule Module, string Service)> _objects = new();

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
            call.Process.Cancel(call.Conversation);
            return true;
        }
        if (_host.FindModule(envelope.Service) is not { } module) return false;
        switch (envelope.Kind)
        {
            case EnvelopeKind.Open:
                // The module keeps its per-connection objects by the instance number its requests carry.
                var instance = (ulong)Interlocked.Increment(ref s_nextInstance);
                _objects[instance] = (module, envelope.Service);
                _replies.Send(new Envelope { Kind = EnvelopeKind.Response, ConversationId = envelope.ConversationId, Status = EnvelopeStatus.Ok, Service = envelope.Service, Instance = instance });
                return true;
            case EnvelopeKind.Request:
                if (module.Process is { } running && module.Supervisor.IsServing) Forward(envelope, running);
                else _ = ForwardWhenActiveAsync(envelope, module);
                return true;
            default:
                if (envelope.Kind == EnvelopeKind.Release) _objects.TryRemove(envelope.Instance, out _);
                if (module.Process is { } process) process.Forward(envelope, _replies);
                else _replies.Send(Unavailable(envelope, $"module {module.Name} is restarting"));
                return true;
        }
    }

    private void Forward(Envelope envelope, ProcessModule process)
    {
        // Registered before forwarding: the answer may come back before Forward returns.
        _open[envelope.ConversationId] = (process, 0);
        var conversation = process.Forward(envelope, this);
        _open.TryUpdate(envelope.ConversationId, (process, conversation), (process, 0));
    }

    // A call that arrives while the module restarts waits for it, within the call's own deadline.
    private async Task ForwardWhenActiveAsync(Envelope envelope, ProcessLoadedModule module)
    {
        using var deadline = new CancellationTokenSource(envelope.TimeoutMs > 0 ? TimeSpan.FromMilliseconds(envelope.TimeoutMs) : DefaultWait, _host.Time);
        try
        {
            await module.Supervisor.WhenActiveAsync(deadline.Token).ConfigureAwait(false);
            // Between a process's exit and its supervisor hearing of it, the module still reads active but has no
            // process: that is the restart about to begin, not the module gone, so wait (briefly, and within the
            // call's deadline) for the supervisor to catch up, then for the restart.
            while (module.Process is null)
            {
                await Task.Delay(SupervisorCatchUp, _host.Time, deadline.Token).ConfigureAwait(false);
                await module.Supervisor.WhenActiveAsync(deadline.Token).ConfigureAwait(false);
            }
        }
        catch (Modules.Lifecycle.ModuleUnavailableException ex)
        {
            _replies.Send(Unavailable(envelope, ex.Message));
            return;
        }
        catch (OperationCanceledException)
        {
            _replies.Send(Error(envelope, RemoteErrorKind.DeadlineExceeded, $"module {module.Name} did not come back from its restart within the call's deadline"));
            return;
        }
        if (module.Process is { } process) Forward(envelope, process);
        else _replies.Send(Unavailable(envelope, $"module {module.Name} went away again while restarting"));
    }

    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan SupervisorCatchUp = TimeSpan.FromMilliseconds(10);

    private Envelope Unavailable(Envelope request, string message) => Error(request, RemoteErrorKind.Unavailable, message);

    private Envelope Error(Envelope request, RemoteErrorKind kind, string message) => RemoteErrors.FailedReply(request, kind, message, _host.NodeName);

    /// <summary>The client went away: cancel what the modules are still doing for it, and release its objects after the lease.</summary>
    public void Close()
    {
        foreach (var id in _open.Keys)
        {
            if (_open.TryRemove(id, out var call)) call.Process.Cancel(call.Conversation);
        }
        if (!_objects.IsEmpty) _ = ReleaseAfterLeaseAsync();
    }

    // As the node's own per-connection objects are: a module would otherwise keep them until it restarts.
    private async Task ReleaseAfterLeaseAsync()
    {
        await Task.Delay(_host.Options.LeaseTimeout, _host.Time).ConfigureAwait(false);
        foreach (var instance in _objects.Keys)
        {
            if (!_objects.TryRemove(instance, out var opened) || opened.Module.Process is not { } process) continue;
            process.Forward(new Envelope { Kind = EnvelopeKind.Release, Instance = instance, Service = opened.Service }, NoReplies.Instance);
        }
    }

    /// <summary>Where the answers to releases nobody waits for go.</summary>
    private sealed class NoReplies : IEnvelopeSink
    {
        public static readonly NoReplies Instance = new();

        public void Send(Envelope envelope) { }
    }

    void IEnvelopeSink.Send(Envelope envelope)
    {
        if (envelope.Kind == EnvelopeKind.Response) _open.TryRemove(envelope.ConversationId, out _);
        _replies.Send(envelope);
    }
}
