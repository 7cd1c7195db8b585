using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using Skein.Cluster.Diagnostics;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Codecs;
using Skein.Cluster.Services.Contracts;
using Skein.Cluster.Services.Transport;

namespace Skein.Cluster.Services.Hosting;

/// <summary>
/// A node's side of one client connection: serves the requests arriving on it, tracks the calls in flight (so a
/// cancel or a broken connection fires their tokens) and the per-connection objects its proxies reserved (released
/// on request, or after the lease once the connection is gone).
/// </summary>
internal sealed class ServerConnection
{
    private readonly ServiceHost _host;
    private readonly IEnvelopeSink _replies;
    // By conversation. A plain dictionary under its own lock: the reader adds, whoever ends the call removes, and
    // neither allocates a node per call as a concurrent one would.
    private readonly Dictionary<ulong, ServedCall> _inFlight = new();
    private readonly Lock _inFlightLock = new();
    private readonly ConcurrentDictionary<ulong, Reservation> _reservations = new();
    // The flow-controlled streams in flight, by conversation: where the caller's CREDIT goes.
    private readonly ConcurrentDictionary<ulong, StreamCredit> _credits = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly TokenSourcePool _tokens = new();
    private long _nextInstance;

    private readonly bool _inline;

    /// <param name="inline">
    /// Serve requests on the thread that delivers them. Only for in-process callers: a handler that blocks then
    /// blocks its own caller, as a local call would, instead of the stream every other call shares.
    /// </param>
    public ServerConnection(ServiceHost host, IEnvelopeSink replies, bool inline = false)
    {
        _host = host;
        _replies = replies;
        _inline = inline;
        _forwarded = new ForwardedCalls(host, replies);
    }

    private readonly ForwardedCalls _forwarded;

    private string Node => _host.NodeName;

    /// <summary>Handles one arriving envelope.</summary>
    public void Receive(Envelope envelope)
    {
        if (_forwarded.TryReceive(envelope)) return;
        switch (envelope.Kind)
        {
            case EnvelopeKind.Request when _inline:
                _ = ServeAsync(Admit(envelope));
                break;
            case EnvelopeKind.Request:
                var pace = _host.Blocking.Find(envelope.Service, envelope.Method);
                if (pace is { Blocking: true })
                {
                    // Judged blocking: served on the thread pool, where it is still timed, so that it comes back once fast.
                    _host.Counters.ServedOnThreadPool();
                    ThreadPool.UnsafeQueueUserWorkItem(static work => work.Connection.ServeTimed(work.Call, work.Pace), new Work(this, Admit(envelope), pace),
                        preferLocal: false);
                }
                else
                {
                    // Served on the stream's reader until the handler's first await: no thread to wake, which halves a
                    // lone caller's round trip.
                    _host.Counters.ServedOnReader();
                    ServeTimed(Admit(envelope), pace);
                }
                break;
            case EnvelopeKind.Cancel:
                CancelCall(envelope.ConversationId);
                break;
            case EnvelopeKind.Credit:
                // A credit for a stream that has just ended is old news.
                if (_credits.TryGetValue(envelope.ConversationId, out var credit)) credit.Grant(envelope.Sequence);
                break;
            case EnvelopeKind.Open:
                Open(envelope);
                break;
            case EnvelopeKind.Release:
                _ = ReleaseAsync(envelope);
                break;
            default:
                _replies.Send(Error(envelope, RemoteErrorKind.Internal, $"node {Node} does not accept {envelope.Kind} envelopes on a call stream"));
                break;
        }
    }

    // Times the handler's synchronous part (up to its first await), which judges where its next calls are served.
    private void ServeTimed(ServedCall call, BlockingMethods.Pace? pace)
    {
        var started = Stopwatch.GetTimestamp();
        _ = ServeAsync(call);
        _host.Blocking.Observe(call.Request.Service, call.Request.Method, Stopwatch.GetElapsedTime(started), pace);
    }

    private ServedCall? InFlight(ulong conversationId)
    {
        lock (_inFlightLock) return _inFlight.GetValueOrDefault(conversationId);
    }

    // Sources are reused: cancel only while the source still belongs to this conversation. The caller gets a final
    // answer at once, so that one without a timer of its own never waits for a handler that ignores its token.
    private void CancelCall(ulong conversationId)
    {
        if (InFlight(conversationId) is not { } call) return;
        lock (call)
        {
            if (!ReferenceEquals(InFlight(conversationId), call) || !call.TryAnswer()) return;
            TryCancel(call.Source);
        }
        _replies.Send(Error(call.Request, RemoteErrorKind.Cancelled, $"the caller cancelled {call.Request.Service}.{call.Request.Method} on node {Node}"));
    }

    /// <summary>The client went away: every call in flight is cancelled, and its objects are released after the lease.</summary>
    public void Close()
    {
        if (_closed.IsCancellationRequested) return;
        _closed.Cancel();
        ServedCall[] inFlight;
        lock (_inFlightLock) inFlight = [.. _inFlight.Values];
        foreach (var call in inFlight)
        {
            call.TryAnswer(); // nobody is left to answer
            TryCancel(call.Source);
        }
        _forwarded.Close();
        if (_reservations.IsEmpty) return;
        _ = ReleaseAfterLeaseAsync();
    }

    private async Task ReleaseAfterLeaseAsync()
    {
        await Task.Delay(_host.Options.LeaseTimeout, _host.Time).ConfigureAwait(false);
        foreach (var id in _reservations.Keys)
        {
            if (_reservations.TryRemove(id, out var reservation)) await reservation.Service.ReleaseAsync(reservation.Instance).ConfigureAwait(false);
        }
    }

    private void Open(Envelope request)
    {
        var service = _host.Find(request.Service);
        if (service is null)
        {
            _replies.Send(NotHosted(request));
            return;
        }
        object? instance;
        try
        {
            instance = service.TryReserve();
        }
        catch (Exception ex)
        {
            _replies.Send(ApplicationError(request, ex));
            return;
        }
        if (instance is null)
        {
            _replies.Send(Error(request, RemoteErrorKind.CapacityReached,
                $"service {service.Name} on node {Node} is at its capacity of {service.Capacity} proxies; dispose one or try again later"));
            return;
        }
        var id = (ulong)Interlocked.Increment(ref _nextInstance);
        _reservations[id] = new Reservation(service, instance, service.Generation);
        if (_closed.IsCancellationRequested && _reservations.TryRemove(id, out var late))
        {
            _ = late.Service.ReleaseAsync(late.Instance); // the client left while this was being opened
            return;
        }
        _replies.Send(new Envelope { Id = request.Id, Kind = EnvelopeKind.Response, ConversationId = request.ConversationId, Status = EnvelopeStatus.Ok, Service = service.Name, Instance = id });
    }

    private async Task ReleaseAsync(Envelope request)
    {
        if (_reservations.TryRemove(request.Instance, out var reservation)) await reservation.Service.ReleaseAsync(reservation.Instance).ConfigureAwait(false);
        _replies.Send(new Envelope { Id = request.Id, Kind = EnvelopeKind.Response, ConversationId = request.ConversationId, Status = EnvelopeStatus.Ok, Service = request.Service });
    }

    // In flight from its arrival, so that a cancel that overtakes it (it waits for a thread, or for a restarting module)
    // is answered, and keeps it from starting.
    private ServedCall Admit(Envelope request)
    {
        var call = new ServedCall(request, _tokens.Rent(), _host.Time.GetTimestamp());
        lock (_inFlightLock) _inFlight[request.ConversationId] = call;
        if (_closed.IsCancellationRequested) TryCancel(call.Source); // the client left meanwhile
        return call;
    }

    /// <summary>Sends <paramref name="reply"/> unless the call was answered already (cancelled while it waited).</summary>
    private void Answer(ServedCall call, Envelope reply)
    {
        if (call.TryAnswer()) _replies.Send(reply);
    }

    private async Task ServeAsync(ServedCall call)
    {
        var request = call.Request;
        try
        {
            var service = _host.Find(request.Service);
            if (service is null)
            {
                Answer(call, NotHosted(request));
                return;
            }
            if (service.Gate is not { } gate)
            {
                await ServeAsync(call, service).ConfigureAwait(false);
                return;
            }
            if (!gate.TryEnter() && !await EnterWhenActiveAsync(call, gate).ConfigureAwait(false)) return;
            try
            {
                await ServeAsync(call, service).ConfigureAwait(false);
            }
            finally
            {
                gate.Exit();
            }
        }
        finally
        {
            lock (_inFlightLock)
            {
                if (_inFlight.TryGetValue(request.ConversationId, out var still) && ReferenceEquals(still, call)) _inFlight.Remove(request.ConversationId);
            }
            lock (call) _tokens.Return(call.Source);
        }
    }

    // A call to a module that is restarting waits for it, within the call's own deadline; one to a module that is
    // stopping or was given up on fails at once, saying so.
    private async Task<bool> EnterWhenActiveAsync(ServedCall call, ModuleGate gate)
    {
        var request = call.Request;
        // On the host's clock, as the module's restart backoff is, so both run on the same time.
        using var limit = new CancellationTokenSource(request.TimeoutMs > 0 ? TimeSpan.FromMilliseconds(request.TimeoutMs) : RestartWait, _host.Time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token, limit.Token);
        try
        {
            do
            {
                await gate.Supervisor.WhenActiveAsync(wait.Token).ConfigureAwait(false);
            }
            while (!gate.TryEnter());
            return true;
        }
        catch (Modules.Lifecycle.ModuleUnavailableException ex)
        {
            Answer(call, Error(request, RemoteErrorKind.Unavailable, ex.Message));
        }
        catch (OperationCanceledException) when (_closed.IsCancellationRequested)
        {
            // The client went away while waiting: nobody is left to answer.
        }
        catch (OperationCanceledException)
        {
            Answer(call, Error(request, RemoteErrorKind.DeadlineExceeded, $"module {gate.Supervisor.Module} did not come back from its restart within the call's deadline"));
        }
        return false;
    }

    // How long a call without a deadline waits for a restarting module.
    private static readonly TimeSpan RestartWait = TimeSpan.FromSeconds(30);

    private async Task ServeAsync(ServedCall call, HostedService service)
    {
        var request = call.Request;
        var method = service.Contract.FindMethod(request.Method);
        if (method is null)
        {
            Answer(call, Error(request, RemoteErrorKind.MethodNotFound,
                $"service {service.Name} has no method '{request.Method}'; it has {string.Join(", ", service.Contract.Methods.Values.Select(m => m.Signature))}"));
            return;
        }
        var codec = PayloadCodecs.For(request.ContentType);
        if (codec is null)
        {
            Answer(call, Error(request, RemoteErrorKind.BadArguments,
                $"content type '{request.ContentType}' is not one node {Node} reads; use {MessagePackPayloadCodec.MediaType} or {JsonPayloadCodec.MediaType}"));
            return;
        }
        if (!MessageLimits.Fits(request.Payload.Length, _host.Options.MaxMessageBytes))
        {
            Answer(call, Error(request, RemoteErrorKind.MessageTooLarge,
                $"the arguments of {service.Name}.{method.WireName} are {MessageLimits.Describe(request.Payload.Length)}, over node {Node}'s limit of {MessageLimits.Describe(_host.Options.MaxMessageBytes)}"));
            return;
        }
        object?[] arguments;
        try
        {
            arguments = codec.DecodeArguments(method, request.Payload.Memory);
        }
        catch (ArgumentCountException ex)
        {
            Answer(call, Error(request, RemoteErrorKind.MethodNotFound, ex.Message));
            return;
        }
        catch (PayloadException ex)
        {
            Answer(call, Error(request, RemoteErrorKind.BadArguments, $"{service.Name}.{method.WireName}: {ex.Message}"));
            return;
        }

        // A call whose deadline passed before it could start (it waited for a restarting module, or for a thread) is
        // answered here, without running the method.
        if (call.IsAnswered) return; // cancelled while it waited: the caller was told, and the method never runs
        var remaining = Remaining(request, call.Received);
        if (remaining <= TimeSpan.Zero)
        {
            Answer(call, Error(request, RemoteErrorKind.DeadlineExceeded,
                $"the deadline of {service.Name}.{method.WireName} ({request.TimeoutMs} ms) passed before node {Node} could start it"));
            return;
        }

        object target;
        var transient = false;
        if (service.Mode != InstanceMode.PerConnection) target = service.Shared;
        else if (request.Instance == 0)
        {
            target = service.CreateTransient();
            transient = true;
        }
        else if (_reservations.TryGetValue(request.Instance, out var reservation) && reservation.Service == service)
        {
            if (reservation.Generation != service.Generation)
            {
                // A restart makes fresh objects: one made by the run that ended is not served any more.
                Answer(call, Error(request, RemoteErrorKind.Unavailable,
                    $"the {service.Name} object this proxy reserved on node {Node} was made before its module restarted; get a new proxy"));
                return;
            }
            target = reservation.Instance;
        }
        else
        {
            Answer(call, Error(request, RemoteErrorKind.Unavailable,
                $"the {service.Name} object this proxy reserved on node {Node} is gone (released, or its lease ran out); get a new proxy"));
            return;
        }

        call.Remaining = remaining;
        var crash = service.Gate is { } gate ? FailOnCrash(gate, request, service, method, call) : default;
        var activity = CallActivities.StartServer(request, Node);
        try
        {
            if (method.IsStreaming) await StreamAsync(request, service, method, codec, target, arguments, call, activity).ConfigureAwait(false);
            else await ReplyAsync(request, service, method, codec, target, arguments, call, activity).ConfigureAwait(false);
        }
        finally
        {
            activity?.Dispose();
            // Before the source goes back to the pool: a crash or an expiry must not touch the next call to use it.
            crash.Dispose();
            call.Expiry.Dispose();
            if (transient) await service.DestroyAsync(target).ConfigureAwait(false);
        }
    }

    /// <summary>What is left of the request's deadline; <see cref="TimeSpan.MaxValue"/> for a request without one.</summary>
    private TimeSpan Remaining(Envelope request, long received) =>
        request.TimeoutMs == 0 ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(request.TimeoutMs) - _host.Time.GetElapsedTime(received);

    // The caller hears of a crash of the module at once. The handler's token is cancelled first, so whatever it still
    // returns is counted as a late reply rather than sent after the error.
    private CancellationTokenRegistration FailOnCrash(ModuleGate gate, Envelope request, HostedService service, ContractMethod method, ServedCall call) =>
        gate.RunCrashed.UnsafeRegister(_ =>
        {
            lock (call)
            {
                // Already answered: the caller gave up or its deadline passed, and was told so.
                if (!ReferenceEquals(InFlight(request.ConversationId), call) || !call.TryAnswer()) return;
                TryCancel(call.Source);
            }
            _replies.Send(Error(request, RemoteErrorKind.Unavailable,
                $"module {gate.Supervisor.Module} crashed while serving {service.Name}.{method.WireName}: {gate.CrashReason}"));
        }, null);

    // The deadline's timer is only armed for a handler that did not finish at once: most never need one. When it
    // fires, the node answers DeadlineExceeded itself (unless something answered first), whatever the handler does.
    private void ArmDeadline(ServedCall call)
    {
        if (call.Remaining == TimeSpan.MaxValue) return;
        call.Expiry = call.Source.Token.UnsafeRegister(static state =>
        {
            var (connection, call) = ((ServerConnection, ServedCall))state!;
            // A cancel, a crash or the client's going claim the answer before they cancel: only the timer gets here first.
            if (!call.TryAnswer()) return;
            connection._replies.Send(connection.Error(call.Request, RemoteErrorKind.DeadlineExceeded,
                $"{call.Request.Service}.{call.Request.Method} did not finish within its deadline of {call.Request.TimeoutMs} ms on node {connection.Node}"));
        }, (this, call));
        call.Source.CancelAfter(call.Remaining);
    }

    private async Task ReplyAsync(Envelope request, HostedService service, ContractMethod method, IPayloadCodec codec, object target, object?[] arguments,
        ServedCall call, Activity? activity)
    {
        var token = call.Source.Token;
        object? result;
        try
        {
            var returned = method.ServerInvoker(target, arguments, token);
            var awaiting = ResultAdapters.AwaiterFor(method)(returned);
            if (!awaiting.IsCompleted) ArmDeadline(call);
            result = await awaiting.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            CallActivities.Failed(activity, ex.Message);
            if (!call.TryAnswer()) _host.CountLateReply(); // the caller gave up or its deadline passed, and was told so
            else await _replies.SendAsync(ApplicationError(request, ex), CancellationToken.None).ConfigureAwait(false);
            return;
        }
        if (!call.TryAnswer())
        {
            _host.CountLateReply();
            return;
        }
        // Waits while the connection's send queue is full (the client reads slower than handlers answer); the handler's
        // transient object is kept until then. Once the client has gone the writer drops the reply and lets go.
        await _replies.SendAsync(Result(request, service, method, codec, method.ResultType, result, EnvelopeKind.Response, 0), CancellationToken.None)
            .ConfigureAwait(false);
    }

    private async Task StreamAsync(Envelope request, HostedService service, ContractMethod method, IPayloadCodec codec, object target, object?[] arguments,
        ServedCall call, Activity? activity)
    {
        var token = call.Source.Token;
        ArmDeadline(call);
        ulong sequence = 0;
        // A caller that asks for flow control gets at most its window of items ahead of its consumer: the producer is
        // not asked for the next item until the last one could be sent. An older caller asks for none and gets all.
        var credit = request.StreamWindow > 0 ? new StreamCredit(request.StreamWindow) : null;
        if (credit is not null) _credits[request.ConversationId] = credit;
        try
        {
            var returned = method.ServerInvoker(target, arguments, token)
                ?? throw new InvalidOperationException($"{service.Implementation.Name}.{method.Method.Name} returned null instead of a stream");
            await foreach (var item in ResultAdapters.StreamFor(method)(returned, token).ConfigureAwait(false))
            {
                var envelope = Result(request, service, method, codec, method.ResultType, item, EnvelopeKind.StreamItem, ++sequence);
                if (credit is not null)
                {
                    envelope.StreamWindow = credit.Window;
                    await credit.WaitToSendAsync(sequence, token).ConfigureAwait(false);
                }
                // An item that fails to encode ends the stream with its error, which is the call's answer.
                if (envelope.Status == EnvelopeStatus.Error && !call.TryAnswer()) return;
                token.ThrowIfCancellationRequested(); // answered already (a cancel, the deadline): no item may follow
                await _replies.SendAsync(envelope, token).ConfigureAwait(false);
                if (envelope.Status == EnvelopeStatus.Error) return;
            }
        }
        catch (Exception ex)
        {
            CallActivities.Failed(activity, ex.Message);
            if (!call.TryAnswer()) _host.CountLateReply();
            else await _replies.SendAsync(ApplicationError(request, ex), CancellationToken.None).ConfigureAwait(false);
            return;
        }
        finally
        {
            if (credit is not null) _credits.TryRemove(request.ConversationId, out _);
        }
        if (call.TryAnswer())
            await _replies.SendAsync(new Envelope { Id = request.Id, Kind = EnvelopeKind.Response, ConversationId = request.ConversationId, Status = EnvelopeStatus.Ok, Sequence = sequence + 1 },
                CancellationToken.None).ConfigureAwait(false);
    }

    private Envelope Result(Envelope request, HostedService service, ContractMethod method, IPayloadCodec codec, Type? type, object? value, EnvelopeKind kind,
        ulong sequence)
    {
        ReadOnlyMemory<byte> payload = default;
        if (type is not null)
        {
            try
            {
                payload = codec.EncodeValue(type, value);
            }
            catch (Exception ex)
            {
                return Error(request, RemoteErrorKind.Internal, $"the result of {service.Name}.{method.WireName} could not be encoded as {codec.ContentType}: {ex.Message}");
            }
            if (!MessageLimits.Fits(payload.Length, _host.Options.MaxMessageBytes))
                return Error(request, RemoteErrorKind.MessageTooLarge,
                    $"the result of {service.Name}.{method.WireName} is {MessageLimits.Describe(payload.Length)}, over the limit of {MessageLimits.Describe(_host.Options.MaxMessageBytes)}");
        }
        return new Envelope
        {
            Id = request.Id,
            Kind = kind,
            ConversationId = request.ConversationId,
            Sequence = sequence,
            Status = EnvelopeStatus.Ok,
            ContentType = codec.ContentType,
            Payload = UnsafeByteOperations.UnsafeWrap(payload),
        };
    }

    private Envelope NotHosted(Envelope request) => Error(request, RemoteErrorKind.ServiceNotFound,
        $"node {Node} does not host service '{request.Service}'" + (_host.ServiceNames.Count > 0 ? $" (it hosts {string.Join(", ", _host.ServiceNames)})" : ""));

    private Envelope Error(Envelope request, RemoteErrorKind kind, string message) => RemoteErrors.FailedReply(request, kind, message, Node);

    private Envelope ApplicationError(Envelope request, Exception exception) =>
        RemoteErrors.FailedReply(request, RemoteErrors.FromApplication(exception, Node, request.Service, request.Method));

    private static void TryCancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That call has just finished.
        }
    }

    /// <param name="Generation">The service's generation when the object was made: a module restarted since made it stale.</param>
    private sealed record Reservation(HostedService Service, object Instance, int Generation);

    private sealed record Work(ServerConnection Connection, ServedCall Call, BlockingMethods.Pace? Pace);

    /// <summary>
    /// One call being served: its token source (pooled, so only touched under a lock on this object while the call is
    /// in flight) and who answers it. Exactly one answer goes out: the handler's, or the node's own when the caller
    /// cancels, the deadline passes or the module crashes — whichever claims it first.
    /// </summary>
    /// <param name="received">When the request arrived, on the host's clock: its deadline counts from then.</param>
    private sealed class ServedCall(Envelope request, CancellationTokenSource source, long received)
    {
        private int _answered;

        public Envelope Request { get; } = request;

        public CancellationTokenSource Source { get; } = source;

        public long Received { get; } = received;

        /// <summary>What was left of the deadline when the method started; <see cref="TimeSpan.MaxValue"/> for none.</summary>
        public TimeSpan Remaining { get; set; } = TimeSpan.MaxValue;

        public bool IsAnswered => Volatile.Read(ref _answered) != 0;

        /// <summary>Answers DeadlineExceeded when the deadline's timer fires; disposed before the source is reused.</summary>
        public CancellationTokenRegistration Expiry { get; set; }

        /// <summary>True for the one caller that may answer the call.</summary>
        public bool TryAnswer() => Interlocked.Exchange(ref _answered, 1) == 0;
    }
}
