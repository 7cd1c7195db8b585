using Grpc.Core;
using Microsoft.Extensions.Logging;
using Skein.Cluster.Internal;
using Skein.Cluster.Membership;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services;
using Skein.Cluster.Addressing;
using Skein.Cluster.Configuration;

namespace Skein.Cluster;

/// <summary>
/// A node's side of membership: joins the coordinator, heartbeats on one long-lived session, and when the
/// coordinator goes away reconnects with capped exponential backoff with jitter (<see cref="Backoff"/>) and registers again, with its call address
/// and its current services.
/// </summary>
public sealed partial class NodeAgent : IDisposable
{
    private static readonly TimeSpan FirstReconnectDelay = TimeSpan.FromMilliseconds(100);
    private readonly NodeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ClusterChannel _channel;
    private readonly Protocol.Membership.MembershipClient _membership;
    private readonly Backoff _reconnect;
    // Replaced whole, never changed in place: a session compares references to know whether the coordinator has the latest.
    private ServiceDescription[] _services;
    private Session? _session;

    public NodeAgent(NodeOptions options, TimeProvider time, ILogger<NodeAgent> logger)
    {
        options.Validate();
        _options = options;
        _time = time;
        _logger = logger;
        _channel = new ClusterChannel(ClusterAddress.Parse(options.Join), options.Token, options.JoinTimeout);
        _membership = new Protocol.Membership.MembershipClient(_channel.CallInvoker);
        _services = ServiceList.Freeze(options.Services);
        _reconnect = new Backoff(time, FirstReconnectDelay, options.MaxReconnectDelay, (ex, _) => ex is SkeinException,
            (ex, delay) => LogReconnectFailed(ClusterAddress.Format(Coordinator), ex.Message, delay));
    }

    public Uri Coordinator => _channel.Address;

    /// <summary>
    /// Waited for before each try to register again after the coordinator was lost: a node's job task attempts whose
    /// calls broke with the coordinator are stopped first, so that the coordinator it joins finds its room free.
    /// </summary>
    internal Func<CancellationToken, Task>? BeforeRejoin { get; set; }

    /// <summary>The id the coordinator gave at the latest registration.</summary>
    public string? NodeId { get; private set; }

    /// <summary>The services this node offers now: its options' list, or the latest given to <see cref="UpdateServicesAsync"/>.</summary>
    public IReadOnlyList<ServiceDescription> Services => Volatile.Read(ref _services);

    /// <summary>
    /// Replaces the services this node offers, e.g. after loading or unloading a module. When joined, returns once
    /// the new list is sent; when not (not yet joined, or reconnecting), returns at once and the next registration carries it.
    /// </summary>
    /// <exception cref="InvalidServiceListException">A service has no name, or two share one.</exception>
    public async Task UpdateServicesAsync(IEnumerable<ServiceDescription> services, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _services, ServiceList.Freeze(services));
        if (Volatile.Read(ref _session) is { } session) await SendServicesAsync(session, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the current list unless this session's coordinator already has it.</summary>
    private async Task SendServicesAsync(Session session, CancellationToken cancellationToken)
    {
        try
        {
            await session.WriteAsync(() =>
            {
                var services = Volatile.Read(ref _services);
                if (ReferenceEquals(services, session.SentServices)) return null;
                session.SentServices = services;
                var changed = new ServicesChanged();
                changed.Services.AddRange(services.ToWire());
                return new NodeMessage { ServicesChanged = changed };
            }, cancellationToken, writeCancels: false).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The session broke meanwhile: the registration that follows carries the new list.
        }
    }

    /// <summary>
    /// Joins, then keeps the membership until <paramref name="stoppingToken"/> fires, when the node says it is leaving.
    /// The first registration failing (unreachable, wrong token, name in use) throws a <see cref="SkeinException"/>.
    /// </summary>
    public async Task RunAsync(Action<string>? registered, CancellationToken stoppingToken)
    {
        var session = await JoinAsync(stoppingToken).ConfigureAwait(false);
        if (session is null) return; // stopped before it joined
        registered?.Invoke(NodeId!);
        while (true)
        {
            using (session)
            {
                string reason;
                Volatile.Write(ref _session, session);
                try
                {
                    try
                    {
                        // The list may have changed between building the Register and publishing the session.
                        await SendServicesAsync(session, stoppingToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // Stopping: KeepAsync says goodbye.
                    }
                    reason = await KeepAsync(session, stoppingToken).ConfigureAwait(false);
                }
                finally
                {
                    Volatile.Write(ref _session, null);
                }
                if (stoppingToken.IsCancellationRequested) return;
                LogCoordinatorGone(ClusterAddress.Format(Coordinator), reason);
            }
            try
            {
                // Waits before the first attempt too: a coordinator that accepts and drops at once cannot make this spin.
                var next = await _reconnect.RunAsync(async (_, ct) =>
                {
                    if (BeforeRejoin is { } before) await before(ct).ConfigureAwait(false);
                    return await OpenAsync(_options.JoinTimeout, ct).ConfigureAwait(false);
                }, waitFirst: true, stoppingToken).ConfigureAwait(false);
                if (next is null) return;
                session = next;
                LogRejoined(ClusterAddress.Format(Coordinator), NodeId!);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The first registration: tried again while the coordinator is there but slow to answer (a loaded machine), up to
    /// <see cref="NodeOptions.RegisterCeiling"/>; null when stopped meanwhile.
    /// </summary>
    private async Task<Session?> JoinAsync(CancellationToken stoppingToken)
    {
        var retry = new RegistrationRetry(_time, _options.JoinTimeout, _options.RegisterCeiling, _options.MaxReconnectDelay);
        var timedOut = false;
        try
        {
            return await retry.RunAsync(
                OpenAsync,
                ex =>
                {
                    var worth = IsWorthRetrying(ex, timedOut);
                    timedOut = ex is AttemptTimedOutException;
                    return worth;
                },
                (ex, delay) => LogRegisterRetry(ClusterAddress.Format(Coordinator), ex.Message, delay),
                stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return null;
        }
        catch (AttemptTimedOutException ex)
        {
            throw new ClusterUnreachableException(Coordinator,
                $"the coordinator did not register this node within {Engine.Durations.Format(_options.RegisterCeiling)} of trying", ex);
        }
    }

    /// <summary>
    /// Whether a failed registration may succeed if tried again: the coordinator did not answer in time, or the
    /// connection failed other than by being refused. A name still alive right after an attempt of ours timed out is
    /// most likely that attempt, registered by a coordinator that answered too late: it goes once the coordinator
    /// sees the abandoned session break.
    /// </summary>
    internal static bool IsWorthRetrying(Exception ex, bool previousAttemptTimedOut) => ex switch
    {
        AttemptTimedOutException => true,
        ClusterUnreachableException { InnerException: RpcException { StatusCode: StatusCode.Unavailable } rpc } => !NothingListens(rpc),
        SkeinException { InnerException: RpcException { StatusCode: StatusCode.AlreadyExists } } => previousAttemptTimedOut,
        _ => false,
    };

    // A refused connection or an unknown host: nobody will answer however long the node waits.
    private static bool NothingListens(RpcException rpc)
    {
        for (var inner = rpc.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Net.Sockets.SocketException socket
                && socket.SocketErrorCode is System.Net.Sockets.SocketError.ConnectionRefused or System.Net.Sockets.SocketError.HostNotFound
                    or System.Net.Sockets.SocketError.NoData or System.Net.Sockets.SocketError.AddressNotAvailable)
                return true;
        }
        return false;
    }

    /// <summary>One registration attempt the coordinator did not answer within its time.</summary>
    internal sealed class AttemptTimedOutException(string message, Exception inner) : SkeinException(message, inner);

    /// <summary>Opens a session and registers within <paramref name="attemptTimeout"/>; null when stopped meanwhile.</summary>
    private async Task<Session?> OpenAsync(TimeSpan attemptTimeout, CancellationToken stoppingToken)
    {
        var sessionEnd = new CancellationTokenSource();
        AsyncDuplexStreamingCall<NodeMessage, CoordinatorMessage>? call = null;
        using var attemptEnd = new CancellationTokenSource(attemptTimeout, _time);
        using var joinTimeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, attemptEnd.Token);
        try
        {
            call = _membership.Session(cancellationToken: sessionEnd.Token);
            await using var _ = joinTimeout.Token.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), sessionEnd).ConfigureAwait(false);
            var services = Volatile.Read(ref _services);
            await call.RequestStream.WriteAsync(new NodeMessage { Register = MakeRegister(services) }, joinTimeout.Token).ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(joinTimeout.Token).ConfigureAwait(false)
                || call.ResponseStream.Current.BodyCase != CoordinatorMessage.BodyOneofCase.Registered)
                throw new SkeinException($"the coordinator at {ClusterAddress.Format(Coordinator)} closed the session without registering this node");
            NodeId = call.ResponseStream.Current.Registered.NodeId;
            var interval = TimeSpan.FromMilliseconds(Math.Max(call.ResponseStream.Current.Registered.HeartbeatIntervalMs, 10));
            return new Session(call, sessionEnd, interval) { SentServices = services };
        }
        catch (Exception ex) when (ex is not SkeinException)
        {
            // A refusal (a wrong token) can surface as a failed or cancelled write before the call's own status is
            // read: the status says what really happened.
            if (call is not null && CompletedStatus(call) is { } status) ex = new RpcException(status);
            call?.Dispose();
            sessionEnd.Dispose();
            if (stoppingToken.IsCancellationRequested) return null;
            throw ex switch
            {
                RpcException { StatusCode: StatusCode.AlreadyExists } rpc => new SkeinException(rpc.Status.Detail, rpc),
                RpcException { StatusCode: StatusCode.Cancelled } or OperationCanceledException
                    => new AttemptTimedOutException($"the coordinator at {ClusterAddress.Format(Coordinator)} did not register this node within {Engine.Durations.Format(attemptTimeout)}", ex),
                RpcException rpc => _channel.Explain(rpc),
                _ => new ClusterUnreachableException(Coordinator, ex.Message, ex),
            };
        }
        catch (SkeinException)
        {
            call?.Dispose();
            sessionEnd.Dispose();
            throw;
        }
    }

    private static Status? CompletedStatus(AsyncDuplexStreamingCall<NodeMessage, CoordinatorMessage> call)
    {
        try
        {
            var status = call.GetStatus();
            return status.StatusCode is StatusCode.OK or StatusCode.Cancelled ? null : status;
        }
        catch (InvalidOperationException)
        {
            return null; // still running: nothing better to say
        }
    }

    /// <summary>Heartbeats until the session ends or the node stops; returns why the session ended.</summary>
    private async Task<string> KeepAsync(Session session, CancellationToken stoppingToken)
    {
        var call = session.Call;
        var reading = ReadUntilEndAsync(call.ResponseStream);
        using var beatsStop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var beating = HeartbeatAsync(session, beatsStop.Token);
        var first = await Task.WhenAny(reading, beating).ConfigureAwait(false);
        await beatsStop.CancelAsync().ConfigureAwait(false);
        await beating.ConfigureAwait(false);
        if (stoppingToken.IsCancellationRequested && first == beating && !reading.IsCompleted)
        {
            await LeaveAsync(session, reading).ConfigureAwait(false);
            return "stopping";
        }
        await session.End.CancelAsync().ConfigureAwait(false);
        try
        {
            return await reading.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException)
        {
            return ex.Message;
        }
    }

    private async Task LeaveAsync(Session session, Task<string> reading)
    {
        try
        {
            await session.WriteAsync(static () => new NodeMessage { Leave = new Leave { Reason = "the node is stopping" } }, CancellationToken.None, complete: true).ConfigureAwait(false);
            await reading.WaitAsync(TimeSpan.FromSeconds(2), _time).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException or TimeoutException or OperationCanceledException)
        {
            // Leaving is a courtesy: a coordinator that is gone will see a broken session instead.
        }
    }

    private async Task HeartbeatAsync(Session session, CancellationToken ct)
    {
        ulong sequence = 0;
        try
        {
            while (true)
            {
                await Task.Delay(session.HeartbeatInterval, _time, ct).ConfigureAwait(false);
                await session.WriteAsync(() => new NodeMessage { Heartbeat = new Heartbeat { Sequence = ++sequence } }, ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            // Stopped, or the session broke: the reader reports why.
        }
    }

    private static async Task<string> ReadUntilEndAsync(IAsyncStreamReader<CoordinatorMessage> reader)
    {
        try
        {
            while (await reader.MoveNext(CancellationToken.None).ConfigureAwait(false))
            {
                if (reader.Current.BodyCase == CoordinatorMessage.BodyOneofCase.Control)
                {
                    var control = reader.Current.Control;
                    if (control.Kind is ControlKind.CoordinatorStopping or ControlKind.Shutdown) return control.Reason;
                }
            }
            return "the session ended";
        }
        catch (RpcException ex)
        {
            return ex.Status.Detail.Length > 0 ? ex.Status.Detail : ex.StatusCode.ToString();
        }
    }

    private Register MakeRegister(ServiceDescription[] services)
    {
        var register = new Register
        {
            Name = _options.Name,
            Hostname = Environment.MachineName,
            Cores = _options.Cores,
            Slots = _options.Slots ?? _options.Cores,
            MemoryBytes = _options.MemoryBytes,
            ProcessId = Environment.ProcessId,
            Address = _options.Address,
        };
        foreach (var (key, value) in _options.Labels) register.Labels[key] = value;
        register.Services.AddRange(services.ToWire());
        return register;
    }

    public void Dispose() => _channel.Dispose();

    private sealed class Session(AsyncDuplexStreamingCall<NodeMessage, CoordinatorMessage> call, CancellationTokenSource end, TimeSpan heartbeatInterval) : IDisposable
    {
        // A gRPC request stream takes one write at a time; heartbeats, service changes and the goodbye share it.
        private readonly SemaphoreSlim _writing = new(1, 1);

        public AsyncDuplexStreamingCall<NodeMessage, CoordinatorMessage> Call { get; } = call;
        public CancellationTokenSource End { get; } = end;
        public TimeSpan HeartbeatInterval { get; } = heartbeatInterval;

        /// <summary>The list the coordinator has from this session; read and written only while writing.</summary>
        public ServiceDescription[]? SentServices { get; set; }

        /// <summary>
        /// Writes the message made while holding the stream (null: nothing to send), then completes the stream if asked.
        /// <paramref name="ct"/> always cancels the wait for the stream; cancelling a write under way cancels the whole
        /// call, so a caller whose cancellation must not end the session passes <paramref name="writeCancels"/> false.
        /// </summary>
        public async Task WriteAsync(Func<NodeMessage?> make, CancellationToken ct, bool complete = false, bool writeCancels = true)
        {
            await _writing.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (make() is { } message) await Call.RequestStream.WriteAsync(message, writeCancels ? ct : CancellationToken.None).ConfigureAwait(false);
                if (complete) await Call.RequestStream.CompleteAsync().ConfigureAwait(false);
            }
            finally
            {
                _writing.Release();
            }
        }

        public void Dispose()
        {
            Call.Dispose();
            End.Dispose();
            _writing.Dispose();
        }
    }
}
