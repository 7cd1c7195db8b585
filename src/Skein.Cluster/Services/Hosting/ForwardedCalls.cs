using System.Collections.Concurrent;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Transport;
using Skein.Modules.Process;

namespace Skein.Cluster.Services.Hosting;

/// <summary>
/// One client connection's calls to services that a module process answers: forwarded to the module, its answers
/// sent back on the connection, a cancel passed on, and everything still open cancelled when the client goes.
/// </summary>
/// <remarks>
/// As for the node's own services, the caller always hears the end of a call from the node: a cancel is answered
/// <c>Cancelled</c> at once and a deadline that passes <c>DeadlineExceeded</c>, whether or not the module stops; what
/// the module still sends for that call is dropped. A call to a per-connection service without a reservation gets an
/// object of its own, made for the call and released after it, as a .NET service's is.
/// </remarks>
internal sealed class ForwardedCalls : IModuleReplies
{
    private readonly ServiceHost _host;
    private readonly IEnvelopeSink _replies;
    // The calls forwarded (or waiting for a restarting module) and not yet ended, by the caller's conversation.
    private readonly ConcurrentDictionary<ulong, Forwarded> _open = new();
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
            End(call, RemoteErrorKind.Cancelled, $"the caller cancelled {call.Request.Service}.{call.Request.Method} on node {_host.NodeName}");
            return true;
        }
        if (_host.FindModuleService(envelope.Service) is not { } offered) return false;
        var module = offered.Module;
        switch (envelope.Kind)
        {
            case EnvelopeKind.Open:
                // The module keeps its per-connection objects by the instance number its requests carry.
                var instance = NewInstance();
                _objects[instance] = (module, envelope.Service);
                _replies.Send(new Envelope
                {
                    Id = envelope.Id, Kind = EnvelopeKind.Response, ConversationId = envelope.ConversationId, Status = EnvelopeStatus.Ok, Service = envelope.Service,
                    Instance = instance,
                });
                return true;
            case EnvelopeKind.Request:
                Begin(envelope, offered);
                return true;
            default:
                if (envelope.Kind == EnvelopeKind.Release) _objects.TryRemove(envelope.Instance, out _);
                if (module.Process is not { } process) _replies.Send(Unavailable(envelope, $"module {module.Name} is restarting"));
                else if (envelope.Kind == EnvelopeKind.Release)
                {
                    process.Release(envelope.Instance, envelope.Service);
                    _replies.Send(ModuleEnvelopes.Released(envelope));
                }
                // Any other kind is passed on as a call, answered straight to the connection.
                else if (ModuleEnvelopes.TryToCall(envelope, _host.NodeName, out var other, out var refusal)) process.Forward(other, new Untracked(_replies, _host.NodeName));
                else _replies.Send(refusal);
                return true;
        }
    }

    private static ulong NewInstance() => (ulong)Interlocked.Increment(ref s_nextInstance);

    private void Begin(Envelope request, ProcessModuleService offered)
    {
        // Without a reservation, a per-connection call gets an object of its own (the module makes it at the first
        // request naming it), released when the call ends.
        var ownObject = offered.Description.Mode == InstanceMode.PerConnection && request.Instance == 0;
        if (ownObject) request.Instance = NewInstance();
        var call = new Forwarded(request, ownObject);
        _open[request.ConversationId] = call;
        if (request.TimeoutMs > 0)
        {
            call.Deadline = _host.Time.CreateTimer(static state =>
            {
                var (calls, expired) = ((ForwardedCalls, Forwarded))state!;
                calls.Expire(expired);
            }, (this, call), TimeSpan.FromMilliseconds(request.TimeoutMs), Timeout.InfiniteTimeSpan);
        }
        var module = offered.Module;
        if (module.Process is { } running && module.Supervisor.IsServing) Forward(call, running);
        else _ = ForwardWhenActiveAsync(call, module);
    }

    private void Expire(Forwarded call)
    {
        if (!_open.TryRemove(KeyValuePair.Create(call.Request.ConversationId, call))) return; // answered meanwhile
        End(call, RemoteErrorKind.DeadlineExceeded,
            $"{call.Request.Service}.{call.Request.Method} did not finish within its deadline of {call.Request.TimeoutMs} ms on node {_host.NodeName}");
    }

    // The node ends the call itself (the caller cancelled, or the deadline passed): the module is told to stop, and the
    // caller gets the final answer now.
    private void End(Forwarded call, RemoteErrorKind kind, string message)
    {
        var (process, conversation) = call.Stop();
        if (process is not null) process.Cancel(conversation);
        _replies.Send(Error(call.Request, kind, message));
        Release(call, process);
    }

    private void Forward(Forwarded call, ProcessModule process)
    {
        lock (call.Lock)
        {
            // Registered before forwarding, since the answer may come back before Forward returns; and not forwarded at
            // all when the call ended while it waited for the module.
            if (call.Ended) return;
            call.Process = process;
            if (ModuleEnvelopes.TryToCall(call.Request, _host.NodeName, out var forwarded, out var refusal)) call.Conversation = process.Forward(forwarded, this);
            else Send(refusal); // arguments the module cannot read: the call ends here
        }
    }

    // A call that arrives while the module restarts waits for it, within the call's own deadline.
    private async Task ForwardWhenActiveAsync(Forwarded call, ProcessLoadedModule module)
    {
        var request = call.Request;
        using var deadline = new CancellationTokenSource(request.TimeoutMs > 0 ? TimeSpan.FromMilliseconds(request.TimeoutMs) : DefaultWait, _host.Time);
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
            Fail(call, Unavailable(request, ex.Message));
            return;
        }
        catch (OperationCanceledException)
        {
            Fail(call, Error(request, RemoteErrorKind.DeadlineExceeded, $"module {module.Name} did not come back from its restart within the call's deadline"));
            return;
        }
        if (module.Process is { } process) Forward(call, process);
        else Fail(call, Unavailable(request, $"module {module.Name} went away again while restarting"));
    }

    // Fails a call that never reached the module, unless it already ended.
    private void Fail(Forwarded call, Envelope reply)
    {
        if (!_open.TryRemove(KeyValuePair.Create(call.Request.ConversationId, call))) return;
        call.Stop();
        _replies.Send(reply);
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
            if (!_open.TryRemove(id, out var call)) continue;
            var (process, conversation) = call.Stop();
            process?.Cancel(conversation);
            Release(call, process);
        }
        if (!_objects.IsEmpty) _ = ReleaseAfterLeaseAsync();
    }

    // The object a call without a reservation got goes when the call ends.
    private static void Release(Forwarded call, ProcessModule? process)
    {
        if (call.OwnObject && process is not null) process.Release(call.Request.Instance, call.Request.Service);
    }

    // As the node's own per-connection objects are: a module would otherwise keep them until it restarts.
    private async Task ReleaseAfterLeaseAsync()
    {
        await Task.Delay(_host.Options.LeaseTimeout, _host.Time).ConfigureAwait(false);
        foreach (var instance in _objects.Keys)
        {
            if (!_objects.TryRemove(instance, out var opened) || opened.Module.Process is not { } process) continue;
            process.Release(instance, opened.Service);
        }
    }

    /// <summary>Answers to a call this connection does not track, sent to the caller as they come.</summary>
    private sealed class Untracked(IEnvelopeSink replies, string node) : IModuleReplies
    {
        public void Send(in ModuleReply reply) => replies.Send(ModuleEnvelopes.ToEnvelope(reply, node));
    }

    // What the module answers (and what the node answers for it: a bad payload, the module's exit).
    void IModuleReplies.Send(in ModuleReply reply) => Send(ModuleEnvelopes.ToEnvelope(reply, _host.NodeName));

    // A reply to a forwarded call, from the module or from the node on its behalf.
    private void Send(Envelope envelope)
    {
        Forwarded? call;
        if (envelope.Kind == EnvelopeKind.Response)
        {
            if (!_open.TryRemove(envelope.ConversationId, out call)) return; // the node ended it already
            var (process, _) = call.Stop();
            Release(call, process);
        }
        else if (!_open.TryGetValue(envelope.ConversationId, out call))
        {
            return;
        }
        envelope.Id = call.Request.Id;
        _replies.Send(envelope);
    }

    /// <summary>One forwarded call: the request, where it went, and its deadline's timer.</summary>
    private sealed class Forwarded(Envelope request, bool ownObject)
    {
        /// <summary>Held while the call is forwarded, so that it ends either before (and is not forwarded) or after.</summary>
        public Lock Lock { get; } = new();

        public Envelope Request { get; } = request;

        /// <summary>True when the node made the call's per-connection object for it alone (no reservation).</summary>
        public bool OwnObject { get; } = ownObject;

        public ITimer? Deadline { get; set; }

        public ProcessModule? Process { get; set; }

        /// <summary>The module's number for the call (not the caller's conversation).</summary>
        public ulong Conversation { get; set; }

        public bool Ended { get; private set; }

        /// <summary>Marks the call ended and stops its timer; returns where it went, if it was forwarded.</summary>
        public (ProcessModule? Process, ulong Conversation) Stop()
        {
            Deadline?.Dispose();
            lock (Lock)
            {
                Ended = true;
                return (Process, Conversation);
            }
        }
    }
}
