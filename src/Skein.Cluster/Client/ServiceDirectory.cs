using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skein.Cluster.Internal;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services;

namespace Skein.Cluster.Client;

/// <summary>
/// A client's live view of where services run, kept by the coordinator's Watch stream: <see cref="Resolve"/> answers
/// from memory, and <see cref="NodeGone"/> fires the moment the coordinator declares a node lost, so calls in flight
/// to it can fail at once. When the stream breaks (a coordinator restart) the directory watches again with backoff
/// and resyncs from a fresh snapshot; the routes it had stay usable meanwhile.
/// </summary>
public sealed partial class ServiceDirectory : IAsyncDisposable, Services.Client.IServiceRoutes
{
    private static readonly TimeSpan ConnectTimeout = ClusterChannel.DefaultTimeout;
    private static readonly TimeSpan FirstReconnectDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a node missing from a resync's snapshot stays routable. A restarted coordinator knows nobody at
    /// first; its nodes register again within a couple of seconds, and their routes should not flicker meanwhile.
    /// </summary>
    internal static readonly TimeSpan RejoinGrace = TimeSpan.FromSeconds(5);

    private readonly ClusterChannel? _ownedChannel;
    private readonly Protocol.Membership.MembershipClient _membership;
    private readonly Func<RpcException, SkeinException> _explain;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly ServiceRoutes _routes;
    private Task? _watching;
    private int _started;
    private volatile bool _connected;

    /// <summary>A directory with its own connection to the coordinator at <paramref name="coordinator"/>.</summary>
    public ServiceDirectory(Uri coordinator, string token, TimeProvider? time = null, ILogger<ServiceDirectory>? logger = null)
        : this(new ClusterChannel(coordinator, token, ConnectTimeout), ownsChannel: true, time, logger)
    {
    }

    /// <summary>A directory on a channel its owner (a SkeinClient) keeps and disposes.</summary>
    internal ServiceDirectory(ClusterChannel channel, TimeProvider? time = null, ILogger? logger = null)
        : this(channel, ownsChannel: false, time, logger)
    {
    }

    private ServiceDirectory(ClusterChannel channel, bool ownsChannel, TimeProvider? time, ILogger? logger)
        : this(channel.CallInvoker, channel.Explain, time, logger)
    {
        if (ownsChannel) _ownedChannel = channel;
    }

    /// <summary>A directory on any call invoker that carries the cluster token; <paramref name="explain"/> words failed calls for users.</summary>
    internal ServiceDirectory(CallInvoker callInvoker, Func<RpcException, SkeinException>? explain = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _membership = new Protocol.Membership.MembershipClient(callInvoker);
        _explain = explain ?? (static ex => new SkeinException($"the coordinator answered {ex.StatusCode}: {ex.Status.Detail}", ex));
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _routes = new ServiceRoutes(_time, RaiseNodeGone);
    }

    /// <summary>
    /// Raised when a node leaves the view: declared lost, left on purpose, or not back within a few seconds after a
    /// resync. Raised on the directory's own thread as soon as the coordinator says so; handlers should be quick.
    /// </summary>
    public event EventHandler<NodeGoneEventArgs>? NodeGone;

    /// <summary>True while the watch stream is open; false while the directory reconnects (its routes stay usable).</summary>
    public bool IsConnected => _connected;

    /// <summary>
    /// Opens the watch and returns once the first snapshot has arrived. A coordinator that cannot be reached or
    /// refuses the token fails here with a <see cref="SkeinException"/>; later breaks are retried in the background.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("the service directory is started already");
        AsyncServerStreamingCall<WatchEvent> call;
        try
        {
            call = await WatchAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw _explain(ex);
        }
        _watching = Task.Run(() => KeepWatchingAsync(call, _stop.Token), CancellationToken.None);
    }

    /// <summary>The alive nodes hosting <paramref name="service"/>, by node name; empty when none does.</summary>
    public IReadOnlyList<ServiceLocation> Resolve(string service) => _routes.Resolve(service);

    /// <summary>The names of the services some node hosts now.</summary>
    public IReadOnlyCollection<string> Services => _routes.Services;

    /// <summary>Completes once some node hosts <paramref name="service"/>.</summary>
    public Task WaitForServiceAsync(string service, CancellationToken cancellationToken) =>
        _routes.WaitUntilAsync(routes => routes.Resolve(service).Count > 0, cancellationToken);

    /// <summary>Completes once <paramref name="condition"/> holds for the routes; checked after every change.</summary>
    internal Task WaitUntilAsync(Func<ServiceRoutes, bool> condition, CancellationToken cancellationToken) =>
        _routes.WaitUntilAsync(condition, cancellationToken);

    private async Task<AsyncServerStreamingCall<WatchEvent>> WatchAsync(CancellationToken cancellationToken)
    {
        // The call lives as long as the directory; the caller's token bounds only the wait for the snapshot.
        var call = _membership.Watch(new WatchRequest(), cancellationToken: _stop.Token);
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
            await using var _ = linked.Token.UnsafeRegister(static c => ((AsyncServerStreamingCall<WatchEvent>)c!).Dispose(), call).ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
                throw new RpcException(new Status(StatusCode.Unavailable, "the coordinator ended the watch before its snapshot"));
            if (call.ResponseStream.Current.BodyCase != WatchEvent.BodyOneofCase.Snapshot)
                throw new RpcException(new Status(StatusCode.Internal, $"the watch began with {call.ResponseStream.Current.BodyCase}, not a snapshot"));
            // Before the snapshot is applied, so whoever it wakes sees the directory connected.
            _connected = true;
            _routes.ApplySnapshot(call.ResponseStream.Current.Snapshot);
            return call;
        }
        catch
        {
            call.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw;
        }
    }

    private async Task KeepWatchingAsync(AsyncServerStreamingCall<WatchEvent> call, CancellationToken stop)
    {
        while (true)
        {
            string reason;
            try
            {
                while (await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
                    _routes.Apply(call.ResponseStream.Current);
                reason = "the coordinator ended the watch";
            }
            catch (RpcException ex)
            {
                reason = ex.Status.Detail.Length > 0 ? ex.Status.Detail : ex.StatusCode.ToString();
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                reason = ex.Message;
            }
            finally
            {
                _connected = false;
                _routes.WakeWaiters();
                call.Dispose();
            }
            if (stop.IsCancellationRequested) return;
            LogWatchBroken(reason);
            if (await ReconnectAsync(stop).ConfigureAwait(false) is not { } next) return;
            call = next;
        }
    }

    /// <summary>Watches again with the cluster's <see cref="Backoff"/> (capped, exponential, with jitter); null once the directory is disposed.</summary>
    private async Task<AsyncServerStreamingCall<WatchEvent>?> ReconnectAsync(CancellationToken stop)
    {
        var backoff = new Backoff(_time, FirstReconnectDelay, MaxReconnectDelay,
            (ex, _) => ex is RpcException or IOException or OperationCanceledException, (ex, delay) => LogReconnectFailed(ex.Message, delay));
        try
        {
            // The stream just broke: wait before the first attempt too, so a coordinator that drops it at once cannot make this spin.
            var call = await backoff.RunAsync((_, ct) => WatchAsync(ct), waitFirst: true, stop).ConfigureAwait(false);
            LogResynced(_routes.Services.Count);
            return call;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return null;
        }
    }

    private void RaiseNodeGone(NodeGoneEventArgs gone)
    {
        LogNodeGone(gone.NodeName, gone.NodeId, gone.Reason);
        try
        {
            NodeGone?.Invoke(this, gone);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A subscriber's bug must not stop the directory from following the cluster.
            LogHandlerFailed(ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_watching is { } watching) await watching.ConfigureAwait(false);
        _routes.Dispose();
        _ownedChannel?.Dispose();
        _stop.Dispose();
    }
}
