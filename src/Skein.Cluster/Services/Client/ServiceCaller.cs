using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Core;
using Skein.Cluster.Diagnostics;
using Skein.Cluster.Internal;
using Skein.Engine;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Codecs;
using Skein.Cluster.Services.Contracts;
using Skein.Cluster.Services.Hosting;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Services.Client;

/// <summary>
/// The calling side of a <see cref="SkeinClient"/>: one connection per node (in-process for services this process
/// hosts), proxies bound by instance mode, deadlines and cancellation, and failing the calls to a node the moment the
/// registry says it is gone.
/// </summary>
internal sealed class ServiceCaller : IAsyncDisposable
{
    /// <summary>
    /// How long new calls avoid a node whose connection broke, while other nodes host the service: a killed node's
    /// connection breaks at once, but the coordinator may take its lost-after time (3 s) to say so.
    /// </summary>
    private static readonly TimeSpan AvoidBrokenFor = TimeSpan.FromSeconds(5);

    private readonly IServiceRoutes _routes;
    private readonly string _token;
    private readonly ServiceHost? _local;
    private readonly LocalConnection? _localConnection;
    // By node name and call address: node ids are handed out again by a restarted coordinator.
    private readonly ConcurrentDictionary<(string Node, string Address), CallConnection> _connections = new();
    private readonly ConcurrentDictionary<string, ClusterChannel> _channels = new(StringComparer.Ordinal);
    private readonly TimeSpan _connectTimeout;
    private readonly SendQueueLimits _sendQueue;
    private readonly Timer _deadlines;
    private int _turn = Random.Shared.Next(); // so separate short-lived clients (one skein call each) spread too

    public ServiceCaller(IServiceRoutes routes, string token, SkeinClientOptions options)
    {
        _routes = routes;
        _token = token;
        _local = options.LocalServices;
        _localConnection = _local is null ? null : new LocalConnection(_local);
        DefaultTimeout = options.CallTimeout;
        MaxMessageBytes = options.MaxMessageBytes;
        _connectTimeout = options.ConnectTimeout;
        _sendQueue = options.SendQueue;
        StreamWindow = (uint)options.StreamWindow;
        _routes.NodeGone += OnNodeGone;
        _deadlines = new Timer(static state => ((ServiceCaller)state!).ExpireDeadlines(), this, DeadlineResolution, DeadlineResolution);
    }

    public TimeSpan DefaultTimeout { get; }

    public int MaxMessageBytes { get; }

    /// <summary>The flow-control window a stream asks of its node (0: none).</summary>
    public uint StreamWindow { get; }

    /// <summary>Answers that arrived after their caller stopped waiting, over every connection.</summary>
    public long LateReplies => _connections.Values.Sum(c => c.LateReplies) + (_localConnection?.LateReplies ?? 0);

    public async Task<T> GetServiceAsync<T>(TimeSpan? timeout, CancellationToken cancellationToken) where T : class
    {
        // DispatchProxy emits the proxy type beside ServiceProxy, in a non-collectible assembly, which may not refer to a
        // collectible one; refuse before a server object is reserved.
        if (typeof(T).Assembly.IsCollectible)
            throw new SkeinException(
                $"{typeof(T).FullName} was loaded by an unloadable module, and a proxy cannot be made for such a contract; " +
                "reference the contract from the caller's own assembly, or call the service by name (CallJsonAsync)");
        var contract = ServiceContract.For<T>();
        var callTimeout = timeout ?? DefaultTimeout;
        var (mode, connection) = Bind(contract.Name);
        ulong instance = 0;
        if (mode == InstanceMode.PerConnection)
        {
            // Opening waits as long as any call of this client may (the first one also pays for the connection).
            var reply = await ExchangeAsync(connection!, new Envelope { Kind = EnvelopeKind.Open, Service = contract.Name }, DefaultTimeout, cancellationToken)
                .ConfigureAwait(false);
            if (reply.Status == EnvelopeStatus.Error) throw RemoteErrors.ToException(reply.Error);
            instance = reply.Instance;
        }
        var binding = new ProxyBinding(this, contract, mode, connection, instance, callTimeout);
        // The proxy generated at compile time when the contract's project made one; the reflection proxy otherwise.
        if (GeneratedProxies.Create(typeof(T)) is { } generated)
        {
            generated.Binding = binding;
            return (T)(object)generated;
        }
        var proxy = DispatchProxy.Create<T, ServiceProxy>();
        ((ServiceProxy)(object)proxy).Binding = binding;
        return proxy;
    }

    /// <summary>
    /// The one routing rule of every caller — typed proxies and calls by name alike: the service's instance mode and,
    /// unless it is pooled (each call picks with <see cref="PickPooled"/>), the connection its calls go over. A service
    /// hosted in this process stays in it. Singleton: every client picks the same node, the first by name, so all share
    /// one object. Per-connection: the node serving the fewest calls from this client.
    /// </summary>
    public (InstanceMode Mode, CallConnection? Fixed) Bind(string service)
    {
        if (_local?.Find(service) is { } hosted) return (hosted.Mode, _localConnection);
        var routes = Resolve(service);
        var mode = routes[0].Mode;
        return mode switch
        {
            InstanceMode.Singleton => (mode, ConnectionTo(routes[0])),
            InstanceMode.Pooled => (mode, null),
            _ => (mode, ConnectionTo(Reachable(routes).MinBy(r => ConnectionTo(r).Waiting)!)),
        };
    }

    /// <summary>The connection one call by name goes over, by the rule of <see cref="Bind"/>.</summary>
    public CallConnection PickFor(string service) => Bind(service).Fixed ?? PickPooled(service);

    /// <summary>
    /// For a pooled service: the live node with the fewest calls waiting from this client; ties go round in turn,
    /// so even one caller at a time spreads over every node.
    /// </summary>
    public CallConnection PickPooled(string service)
    {
        if (_local?.Find(service) is not null) return _localConnection!;
        var routes = Reachable(Resolve(service));
        var start = (int)((uint)Interlocked.Increment(ref _turn) % (uint)routes.Count);
        CallConnection? best = null;
        for (var i = 0; i < routes.Count; i++)
        {
            var candidate = ConnectionTo(routes[(start + i) % routes.Count]);
            if (best is null || candidate.Waiting < best.Waiting) best = candidate;
        }
        return best!;
    }

    /// <summary>Sends <paramref name="request"/> and waits for its answer, its deadline, or the caller's cancel.</summary>
    public Task<Envelope> ExchangeAsync(CallConnection connection, Envelope request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (CallActivities.StartClient(request, connection.NodeName) is { } activity) return TracedExchangeAsync(activity, connection, request, timeout, cancellationToken);
        var call = new EnvelopeCall(inline: connection is LocalConnection);
        Start(connection, request, call, timeout, cancellationToken);
        return call.Task;
    }

    /// <summary>
    /// Sends <paramref name="request"/> as <paramref name="call"/>, which ends with its answer, its deadline or the caller's
    /// cancel. Waits (without blocking) only while the connection's send queue is full; a cancel meanwhile ends the call
    /// as cancelled, having sent nothing.
    /// </summary>
    public static void Start(CallConnection connection, Envelope request, UnaryCall call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout != Timeout.InfiniteTimeSpan) call.SetDeadline(timeout); // enforced by the sweep: no timer per call
        var begun = connection.BeginAsync(request, call, cancellationToken);
        if (!begun.IsCompletedSuccessfully)
        {
            _ = WaitForRoomAsync(begun, connection, call, cancellationToken);
            return;
        }
        begun.GetAwaiter().GetResult();
        call.CancelWith(connection, cancellationToken);

        static async Task WaitForRoomAsync(ValueTask begun, CallConnection connection, UnaryCall call, CancellationToken cancellationToken)
        {
            try
            {
                await begun.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                call.Fail(ex);
                return;
            }
            call.CancelWith(connection, cancellationToken);
        }
    }

    // With a listener, each call has its span, which sees every outcome.
    private static async Task<Envelope> TracedExchangeAsync(Activity activity, CallConnection connection, Envelope request, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        using var _ = activity;
        var call = new EnvelopeCall(inline: connection is LocalConnection);
        try
        {
            Start(connection, request, call, timeout, cancellationToken);
            CallActivities.Sent(activity, request);
            var reply = await call.Task.ConfigureAwait(false);
            if (reply.Status == EnvelopeStatus.Error) CallActivities.Failed(activity, reply.Error.Message);
            return reply;
        }
        catch (Exception ex)
        {
            CallActivities.Failed(activity, ex.Message);
            throw;
        }
    }

    /// <summary>How often deadlines are checked: a deadline is met within this much.</summary>
    internal static readonly TimeSpan DeadlineResolution = TimeSpan.FromMilliseconds(20);

    private void ExpireDeadlines()
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var connection in _connections.Values) connection.ExpireDeadlines(now, Expired);
        _localConnection?.ExpireDeadlines(now, Expired);
    }

    private static RemoteException Expired(Conversation conversation, CallConnection connection)
    {
        var request = conversation.Request!;
        return RemoteErrors.Local(RemoteErrorKind.DeadlineExceeded,
            $"{Describe(request)} on node {connection.NodeName} did not answer within its deadline of {Durations.Format(conversation.Timeout)}",
            connection.NodeName, request.Service, request.Method);
    }

    /// <summary>
    /// A call by name with JSON arguments (the CLI's way in): yields each encoded value the node sends back — one for
    /// an ordinary method (empty for one that returns nothing), each item for a streaming one. Routed as proxies are
    /// (<see cref="Bind"/>). The <paramref name="timeout"/> (infinite: none) covers the whole call, stream included: the
    /// node is told it and cancels the handler when it passes, and the caller gets a DeadlineExceeded error.
    /// </summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> CallJsonAsync(string service, string method, ReadOnlyMemory<byte> arguments, TimeSpan timeout,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!MessageLimits.Fits(arguments.Length, MaxMessageBytes))
            throw RemoteErrors.Local(RemoteErrorKind.MessageTooLarge,
                $"the arguments are {MessageLimits.Describe(arguments.Length)}, over the limit of {MessageLimits.Describe(MaxMessageBytes)}", "", service, method);
        var connection = PickFor(service);
        var request = new Envelope
        {
            Kind = EnvelopeKind.Request,
            Service = service,
            Method = method,
            ContentType = JsonPayloadCodec.MediaType,
            Payload = UnsafeByteOperations.UnsafeWrap(arguments),
            TimeoutMs = WireTimeout(timeout),
            StreamWindow = StreamWindow, // used by the node only if the method streams
        };
        var conversation = new StreamConversation(StreamWindow);
        if (timeout != Timeout.InfiniteTimeSpan) conversation.SetDeadline(timeout); // enforced by the sweep, as for proxies
        using var activity = CallActivities.StartStream(request, connection.NodeName);
        await connection.BeginAsync(request, conversation, cancellationToken).ConfigureAwait(false);
        CallActivities.Sent(activity, request);
        var id = request.ConversationId;
        var finished = false;
        using var onCancel = cancellationToken.UnsafeRegister(_ => connection.Abandon(id, RemoteErrors.Local(RemoteErrorKind.Cancelled,
            $"{Describe(request)} was cancelled", connection.NodeName, service, method)), null);
        try
        {
            while (await conversation.Items.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                if (!conversation.Items.TryRead(out var envelope)) continue;
                if (envelope.Status == EnvelopeStatus.Error)
                {
                    CallActivities.Failed(activity, envelope.Error.Message);
                    throw RemoteErrors.ToException(envelope.Error);
                }
                if (envelope.Kind == EnvelopeKind.StreamItem)
                {
                    yield return envelope.Payload.Memory;
                    conversation.Consumed(connection, envelope.Sequence);
                    continue;
                }
                finished = true;
                if (envelope.Sequence == 0) yield return envelope.Payload.Memory; // an ordinary method's result
                yield break;
            }
        }
        finally
        {
            if (!finished) connection.Abandon(id, RemoteErrors.Local(RemoteErrorKind.Cancelled, $"{Describe(request)} was abandoned", connection.NodeName, service, method));
        }
    }

    /// <summary>A deadline as the envelope carries it: milliseconds, at least 1; 0 for none.</summary>
    internal static uint WireTimeout(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? 0 : (uint)Math.Clamp(Math.Ceiling(timeout.TotalMilliseconds), 1, uint.MaxValue);

    public int HostsOf(string service) => _routes.Resolve(service).Count;

    private IReadOnlyList<ServiceLocation> Resolve(string service)
    {
        var routes = _routes.Resolve(service);
        if (routes.Count > 0) return routes;
        var known = _routes.Services;
        throw RemoteErrors.Local(RemoteErrorKind.ServiceNotFound,
            $"no live node hosts service '{service}'" + (known.Count > 0 ? $"; the cluster has {string.Join(", ", known.Order(StringComparer.Ordinal))}" : "; the cluster has no services"),
            "", service);
    }

    /// <summary>
    /// The routes to nodes whose connection has not just broken; all of them when every one has, so that the call
    /// fails at once naming a node rather than waiting.
    /// </summary>
    private IReadOnlyList<ServiceLocation> Reachable(IReadOnlyList<ServiceLocation> routes)
    {
        List<ServiceLocation>? reachable = null;
        for (var i = 0; i < routes.Count; i++)
        {
            var broken = _connections.TryGetValue((routes[i].NodeName, routes[i].Address), out var connection)
                && connection.IsBroken && connection.FailedFor < AvoidBrokenFor;
            if (broken)
            {
                reachable ??= [.. routes.Take(i)];
                continue;
            }
            reachable?.Add(routes[i]);
        }
        return reachable is null ? routes : reachable.Count > 0 ? reachable : routes;
    }

    private CallConnection ConnectionTo(ServiceLocation route)
    {
        while (true)
        {
            var key = (route.NodeName, route.Address);
            var connection = _connections.GetOrAdd(key, _ => Open(route));
            if (connection.Failure is null) return connection;
            // That connection broke: replace it, once, for everyone.
            var fresh = Open(route);
            if (_connections.TryUpdate(key, fresh, connection))
            {
                _ = CloseAsync(connection);
                return fresh;
            }
            _ = CloseAsync(fresh);
        }
    }

    private NodeConnection Open(ServiceLocation route)
    {
        var channel = _channels.GetOrAdd(route.Address, address =>
            new ClusterChannel(ClusterAddress.Parse(address), _token, _connectTimeout, MessageLimits.TransportLimit(MaxMessageBytes)));
        return new NodeConnection(route.NodeId, route.NodeName, route.Address, channel.CallInvoker, _sendQueue);
    }

    private void OnNodeGone(object? sender, NodeGoneEventArgs gone)
    {
        foreach (var key in _connections.Keys.Where(k => k.Node == gone.NodeName))
        {
            if (!_connections.TryRemove(key, out var connection)) continue;
            var what = gone.Lost ? "was declared lost" : "left the cluster";
            connection.Fail(RemoteErrors.Local(RemoteErrorKind.NodeLost, $"node {gone.NodeName} {what} ({gone.Reason})", gone.NodeName, ""));
            _ = CloseAsync(connection);
        }
    }

    private static async Task CloseAsync(CallConnection connection)
    {
        if (connection is NodeConnection node) await node.DisposeAsync().ConfigureAwait(false);
    }

    internal static string Describe(Envelope request) => request.Kind switch
    {
        EnvelopeKind.Open => $"opening a proxy for {request.Service}",
        EnvelopeKind.Release => $"releasing a proxy for {request.Service}",
        _ => $"the call to {request.Service}.{request.Method}",
    };

    public async ValueTask DisposeAsync()
    {
        _routes.NodeGone -= OnNodeGone;
        await _deadlines.DisposeAsync().ConfigureAwait(false);
        foreach (var connection in _connections.Values) await CloseAsync(connection).ConfigureAwait(false);
        _connections.Clear();
        _localConnection?.Fail(RemoteErrors.Local(RemoteErrorKind.Cancelled, "the client was closed", "", ""));
        foreach (var channel in _channels.Values) channel.Dispose();
    }
}
