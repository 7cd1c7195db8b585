using Skein.Cluster.Events;
using Skein.Cluster.Internal;
using Skein.Cluster.Services.Client;
using Skein.Cluster.Services.Hosting;
using Skein.Engine;
using Skein.Cluster.Addressing;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Client;

/// <summary>
/// A client of a Skein cluster: typed proxies for its services (<see cref="GetServiceAsync{T}(CancellationToken)"/>).
/// Calls go straight to the node hosting the service over one long-lived stream per node; the coordinator only says
/// where services are and when nodes go.
/// </summary>
public sealed class SkeinClient : IAsyncDisposable
{
    private readonly ServiceCaller _caller;
    private readonly IAsyncDisposable? _routesOwner;

    private sealed class Owned(ServiceDirectory directory, ClusterEvents events, ClusterChannel channel) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await events.DisposeAsync().ConfigureAwait(false);
            await directory.DisposeAsync().ConfigureAwait(false);
            channel.Dispose();
        }
    }

    private readonly ClusterEvents? _events;

    internal SkeinClient(IServiceRoutes routes, string token, SkeinClientOptions options, IAsyncDisposable? routesOwner, ClusterEvents? events = null)
    {
        options.Validate();
        _caller = new ServiceCaller(routes, token, options);
        Token = token;
        _routesOwner = routesOwner;
        _events = events;
        Participant = options.Participant ?? DefaultParticipant();
    }

    private static int s_participants;

    /// <summary>
    /// <c>SKEIN_PARTICIPANT</c> when set (the test runner names each experiment so), else HOST/PID; the second client
    /// of a process and those after it get "-2", "-3" … appended, so that clients of one process never collide.
    /// </summary>
    private static string DefaultParticipant()
    {
        var named = Environment.GetEnvironmentVariable("SKEIN_PARTICIPANT")?.Trim();
        var stem = string.IsNullOrEmpty(named) ? $"{Environment.MachineName}/{Environment.ProcessId}" : named;
        var nth = Interlocked.Increment(ref s_participants);
        return nth == 1 ? stem : $"{stem}-{nth}";
    }

    /// <summary>The channel to the coordinator, when connected to a cluster (not for local services only).</summary>
    internal ClusterChannel? CoordinatorChannel { get; private init; }

    /// <summary>The cluster token this client presents.</summary>
    internal string Token { get; }

    /// <summary>
    /// The name this client arrives at barriers under: <see cref="SkeinClientOptions.Participant"/>, else
    /// <c>SKEIN_PARTICIPANT</c>, else HOST/PID (with "-2", "-3" … for further clients of the process).
    /// </summary>
    public string Participant { get; }

    private BarrierClient Barriers => _barriers ??= new BarrierClient(
        CoordinatorChannel ?? throw new InvalidOperationException("this client is not connected to a cluster, so it has no barriers"), TimeProvider.System);

    private BarrierClient? _barriers;

    /// <summary>
    /// Waits at the barrier <paramref name="name"/> until <paramref name="count"/> participants (this one included) have
    /// arrived, then returns with all of them. The coordinator holds the barrier; once it releases, the name is free for
    /// the next meeting (call it again to meet again, as when everyone waits for everyone to finish).
    /// </summary>
    /// <exception cref="BarrierTimeoutException">The others did not all arrive within <paramref name="timeout"/>; the message names who did and who is missing.</exception>
    /// <exception cref="ArgumentException">A name, count (1 to 1,024) or timeout (up to a day) out of bounds.</exception>
    /// <exception cref="SkeinException">The barrier is meeting with another count, a participant of this name is already there, or the coordinator went away.</exception>
    /// <remarks>Cancelling withdraws this participant: it no longer counts.</remarks>
    public Task<BarrierResult> BarrierAsync(string name, int count, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Barriers.ArriveAsync(name, Participant, count, [], "", timeout, cancellationToken);

    /// <summary>
    /// As <see cref="BarrierAsync(string, int, TimeSpan, CancellationToken)"/>, for the participants named (this client's
    /// <see cref="Participant"/> among them): only they may arrive, and a timeout names the ones missing.
    /// </summary>
    public Task<BarrierResult> BarrierAsync(string name, IReadOnlyCollection<string> participants, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(participants);
        return Barriers.ArriveAsync(name, Participant, participants.Count, [.. participants], "", timeout, cancellationToken);
    }

    /// <summary>
    /// Arrives at the barrier <paramref name="name"/> with <paramref name="context"/> (an address, a JSON document; at most
    /// 64 KiB) and returns every participant's context by participant name once <paramref name="count"/> have arrived.
    /// </summary>
    /// <exception cref="BarrierTimeoutException">The others did not all arrive within <paramref name="timeout"/>.</exception>
    /// <exception cref="ArgumentException">A name, count, context or timeout out of bounds.</exception>
    /// <exception cref="SkeinException">The barrier is meeting with another count, a participant of this name is already there, or the coordinator went away.</exception>
    public async Task<IReadOnlyDictionary<string, string>> ExchangeAsync(string name, int count, string context, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return (await Barriers.ArriveAsync(name, Participant, count, [], context, timeout, cancellationToken).ConfigureAwait(false)).Contexts;
    }

    /// <summary>As <see cref="ExchangeAsync(string, int, string, TimeSpan, CancellationToken)"/>, for the participants named.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ExchangeAsync(string name, IReadOnlyCollection<string> participants, string context, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(participants);
        ArgumentNullException.ThrowIfNull(context);
        return (await Barriers.ArriveAsync(name, Participant, participants.Count, [.. participants], context, timeout, cancellationToken).ConfigureAwait(false)).Contexts;
    }

    /// <summary>The cluster's event bus, through the coordinator: publish, subscribe with <c>*</c> and <c>&gt;</c> wildcards, recent history.</summary>
    public ClusterEvents Events => _events ?? throw new InvalidOperationException("this client is not connected to a cluster, so it has no event bus");

    /// <summary>Publishes <paramref name="value"/> as JSON on <paramref name="subject"/> (bytes are sent as they are).</summary>
    public Task PublishAsync<T>(string subject, T value, CancellationToken cancellationToken = default) => Events.PublishAsync(subject, value, cancellationToken);

    /// <summary>The events whose subject matches <paramref name="pattern"/>, as they are published; end it by disposing the enumerator.</summary>
    public IAsyncEnumerable<ClusterEvent> SubscribeAsync(string pattern, CancellationToken cancellationToken = default) =>
        Events.SubscribeAsync(pattern, replayRecent: false, cancellationToken);

    /// <summary>
    /// Connects to the coordinator at <paramref name="coordinator"/> and learns where services run. Fails with a
    /// <see cref="SkeinException"/> naming the address when it cannot be reached or refuses the token.
    /// </summary>
    public static async Task<SkeinClient> ConnectAsync(Uri coordinator, string token, SkeinClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        options ??= new SkeinClientOptions();
        options.Validate();
        var channel = new ClusterChannel(coordinator, token, options.ConnectTimeout);
        var directory = new ServiceDirectory(channel);
        try
        {
            using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connecting.CancelAfter(options.ConnectTimeout);
            try
            {
                await directory.StartAsync(connecting.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ClusterUnreachableException(coordinator, $"no answer within the connect timeout of {Durations.Format(options.ConnectTimeout)}");
            }
        }
        catch
        {
            await directory.DisposeAsync().ConfigureAwait(false);
            channel.Dispose();
            throw;
        }
        var events = new ClusterEvents(channel);
        return new SkeinClient(directory, token, options, new Owned(directory, events, channel), events) { CoordinatorChannel = channel };
    }

    /// <summary>
    /// Connects to the cluster the CLI would: <c>SKEIN_CLUSTER</c> and <c>SKEIN_TOKEN</c> when set, else the
    /// connection file in <paramref name="stateDirectory"/> (default: <c>SKEIN_STATE</c>, then <c>.skein</c>).
    /// </summary>
    public static Task<SkeinClient> ConnectAsync(string? stateDirectory = null, SkeinClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        var state = stateDirectory ?? ClusterLocator.DefaultStateDirectory;
        return ConnectAsync(ClusterLocator.ResolveAddress(null, state), ClusterLocator.ResolveToken(null, state), options, cancellationToken);
    }

    /// <summary>A client of the services of one in-process <see cref="ServiceHost"/> only (no cluster): calls never leave the process.</summary>
    public static SkeinClient ForLocalServices(ServiceHost host, SkeinClientOptions? options = null)
    {
        options ??= new SkeinClientOptions();
        options.LocalServices = host;
        return new SkeinClient(new StaticRoutes([]), "", options, null);
    }

    /// <summary>
    /// A proxy for the contract <typeparamref name="T"/> (an interface marked [Service]). For a per-connection service
    /// this reserves a server object on a node; dispose the proxy to release it.
    /// </summary>
    /// <exception cref="RemoteException">No live node hosts the service, or it is at capacity.</exception>
    public Task<T> GetServiceAsync<T>(CancellationToken cancellationToken = default) where T : class =>
        _caller.GetServiceAsync<T>(null, cancellationToken);

    /// <summary>As <see cref="GetServiceAsync{T}(CancellationToken)"/>, with this proxy's own call deadline.</summary>
    public Task<T> GetServiceAsync<T>(TimeSpan callTimeout, CancellationToken cancellationToken = default) where T : class =>
        _caller.GetServiceAsync<T>(callTimeout, cancellationToken);

    /// <summary>How many live nodes host <paramref name="service"/>, as this client knows it now.</summary>
    internal int HostsOf(string service) => _caller.HostsOf(service);

    /// <summary>Answers that arrived after their caller had stopped waiting (cancelled, or past the deadline); dropped.</summary>
    public long LateReplies => _caller.LateReplies;

    /// <summary>Calls a method by name with JSON arguments; yields the JSON of the result (or of each streamed item).</summary>
    public IAsyncEnumerable<ReadOnlyMemory<byte>> CallJsonAsync(string service, string method, ReadOnlyMemory<byte> jsonArguments, CancellationToken cancellationToken = default) =>
        _caller.CallJsonAsync(service, method, jsonArguments, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// As <see cref="CallJsonAsync(string, string, ReadOnlyMemory{byte}, CancellationToken)"/>, within <paramref name="timeout"/>
    /// (<see cref="Timeout.InfiniteTimeSpan"/>: none): the node hears the deadline and cancels the handler when it passes,
    /// and the call fails with a <see cref="RemoteException"/> of kind <see cref="RemoteErrorKind.DeadlineExceeded"/>.
    /// </summary>
    public IAsyncEnumerable<ReadOnlyMemory<byte>> CallJsonAsync(string service, string method, ReadOnlyMemory<byte> jsonArguments, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan) throw new ArgumentOutOfRangeException(nameof(timeout), "the timeout must be positive (or infinite)");
        return _caller.CallJsonAsync(service, method, jsonArguments, timeout, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _caller.DisposeAsync().ConfigureAwait(false);
        if (_routesOwner is not null) await _routesOwner.DisposeAsync().ConfigureAwait(false);
    }
}
