using System.Runtime.CompilerServices;
using Google.Protobuf;
using Skein.Cluster.Diagnostics;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Codecs;
using Skein.Cluster.Services.Contracts;

namespace Skein.Cluster.Services.Client;

/// <summary>
/// What one proxy is bound to: its contract and, by instance mode, either one node and server object
/// (per-connection, singleton) or the set of nodes a pooled service spreads over, chosen per call.
/// </summary>
internal sealed class ProxyBinding
{
    private readonly ServiceCaller _caller;
    private readonly CallConnection? _fixed;
    private readonly ulong _instance;
    private int _disposed;

    public ProxyBinding(ServiceCaller caller, ServiceContract contract, InstanceMode mode, CallConnection? fixedConnection, ulong instance, TimeSpan timeout)
    {
        _caller = caller;
        Contract = contract;
        Mode = mode;
        _fixed = fixedConnection;
        _instance = instance;
        Timeout = timeout;
        _wireTimeout = timeout == System.Threading.Timeout.InfiniteTimeSpan ? 0 : (uint)Math.Min(timeout.TotalMilliseconds, uint.MaxValue);
    }

    // The deadline as requests carry it, worked out once.
    private readonly uint _wireTimeout;

    public ServiceContract Contract { get; }

    public InstanceMode Mode { get; }

    public TimeSpan Timeout { get; }

    // Answers are read as their content type says: a module in another language answers in JSON.
    private static IPayloadCodec CodecOf(Envelope reply) => PayloadCodecs.For(reply.ContentType) ?? MessagePackPayloadCodec.Instance;

    /// <summary>A call of a method that returns nothing: one <see cref="UnaryCall"/> and its task, nothing more.</summary>
    public Task CallAsync<TArguments>(ContractMethod method, TArguments arguments, CancellationToken cancellationToken) where TArguments : IProxyArguments
    {
        // Everything up to the send fails the returned task, never the caller's stack, as an async method would.
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
        try
        {
            var request = Request(method, arguments);
            var connection = Connection();
            if (CallActivities.IsTracing) return TracedAsync(this, method, connection, request, cancellationToken);
            var call = new VoidCall(inline: connection is LocalConnection);
            ServiceCaller.Start(connection, request, call, Timeout, cancellationToken);
            return call.Task;
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }

        static async Task TracedAsync(ProxyBinding binding, ContractMethod method, CallConnection connection, Envelope request, CancellationToken cancellationToken)
        {
            var reply = await binding._caller.ExchangeAsync(connection, request, binding.Timeout, cancellationToken).ConfigureAwait(false);
            if (reply.Status == EnvelopeStatus.Error) throw RemoteErrors.ToException(reply.Error);
        }
    }

    /// <summary>A call of a method with a result, decoded as <typeparamref name="T"/>.</summary>
    public Task<T> CallAsync<T, TArguments>(ContractMethod method, TArguments arguments, CancellationToken cancellationToken) where TArguments : IProxyArguments
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<T>(cancellationToken);
        try
        {
            var request = Request(method, arguments);
            var connection = Connection();
            if (CallActivities.IsTracing) return TracedAsync(this, method, connection, request, cancellationToken);
            var call = new ResultCall<T>(method, inline: connection is LocalConnection);
            ServiceCaller.Start(connection, request, call, Timeout, cancellationToken);
            return call.Task;
        }
        catch (Exception ex)
        {
            return Task.FromException<T>(ex);
        }

        static async Task<T> TracedAsync(ProxyBinding binding, ContractMethod method, CallConnection connection, Envelope request, CancellationToken cancellationToken)
        {
            var reply = await binding._caller.ExchangeAsync(connection, request, binding.Timeout, cancellationToken).ConfigureAwait(false);
            return Decode<T>(method, reply);
        }
    }

    /// <summary>The result an answer carries, or the exception its error or an undecodable payload means.</summary>
    internal static T Decode<T>(ContractMethod method, Envelope reply)
    {
        if (reply.Status == EnvelopeStatus.Error) throw RemoteErrors.ToException(reply.Error);
        try
        {
            return CodecOf(reply).DecodeValue<T>(reply.Payload.Memory);
        }
        catch (PayloadException ex)
        {
            var service = method.Contract.Name;
            throw RemoteErrors.Local(RemoteErrorKind.Internal, $"the reply of {service}.{method.WireName} did not decode: {ex.Message}", "", service, method.WireName);
        }
    }

    /// <param name="callerToken">The token among the method's own arguments.</param>
    /// <param name="cancellationToken">The enumerator's (WithCancellation).</param>
    public async IAsyncEnumerable<T> StreamAsync<T, TArguments>(ContractMethod method, TArguments arguments, CancellationToken callerToken,
        [EnumeratorCancellation] CancellationToken cancellationToken) where TArguments : IProxyArguments
    {
        using var linked = callerToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(callerToken, cancellationToken) : null;
        var token = linked?.Token ?? cancellationToken;
        var request = Request(method, arguments);
        request.StreamWindow = _caller.StreamWindow;
        var connection = Connection();
        var conversation = new StreamConversation(_caller.StreamWindow);
        using var activity = CallActivities.StartStream(request, connection.NodeName);
        await connection.BeginAsync(request, conversation, token).ConfigureAwait(false);
        CallActivities.Sent(activity, request);
        var id = request.ConversationId;
        var finished = false;
        using var cancel = token.UnsafeRegister(_ => connection.Abandon(id, Cancelled(method, connection)), null);
        try
        {
            while (true)
            {
                Envelope envelope;
                try
                {
                    if (!await conversation.Items.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false)) break;
                    if (!conversation.Items.TryRead(out envelope!)) continue;
                }
                catch (RemoteException ex) when (ex.Kind == RemoteErrorKind.Cancelled && token.IsCancellationRequested)
                {
                    throw new OperationCanceledException(token);
                }
                if (envelope.Status == EnvelopeStatus.Error)
                {
                    CallActivities.Failed(activity, envelope.Error.Message);
                    throw RemoteErrors.ToException(envelope.Error);
                }
                if (envelope.Kind != EnvelopeKind.StreamItem)
                {
                    finished = true;
                    yield break;
                }
                yield return CodecOf(envelope).DecodeValue<T>(envelope.Payload.Memory);
                conversation.Consumed(connection, envelope.Sequence);
            }
        }
        finally
        {
            // Disposing the enumerator early cancels the server side.
            if (!finished) connection.Abandon(id, Cancelled(method, connection));
        }
    }

    private Envelope Request<TArguments>(ContractMethod method, TArguments arguments) where TArguments : IProxyArguments
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var payload = MessagePackPayloadCodec.EncodeArguments(method, arguments);
        if (!MessageLimits.Fits(payload.Length, _caller.MaxMessageBytes))
            throw RemoteErrors.Local(RemoteErrorKind.MessageTooLarge,
                $"the arguments of {Contract.Name}.{method.WireName} are {MessageLimits.Describe(payload.Length)}, over the limit of {MessageLimits.Describe(_caller.MaxMessageBytes)}",
                "", Contract.Name, method.WireName);
        return new Envelope
        {
            Kind = EnvelopeKind.Request,
            Service = Contract.Name,
            Method = method.WireName,
            ContentType = MessagePackPayloadCodec.MediaType,
            Payload = UnsafeByteOperations.UnsafeWrap(payload),
            Instance = _instance,
            TimeoutMs = method.IsStreaming ? 0 : _wireTimeout,
        };
    }

    private CallConnection Connection() => _fixed ?? _caller.PickPooled(Contract.Name);

    private RemoteException Cancelled(ContractMethod method, CallConnection connection) =>
        RemoteErrors.Local(RemoteErrorKind.Cancelled, $"the call to {Contract.Name}.{method.WireName} was cancelled", connection.NodeName, Contract.Name, method.WireName);

    public override string ToString() => $"proxy for service {Contract.Name}";

    /// <summary>Releases the server object a per-connection proxy reserved; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_instance == 0 || _fixed is null || _fixed.Failure is not null) return;
        try
        {
            await _caller.ExchangeAsync(_fixed, new Envelope { Kind = EnvelopeKind.Release, Service = Contract.Name, Instance = _instance },
                TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
        }
        catch (RemoteException)
        {
            // The node is gone or slow: its lease releases the object anyway.
        }
    }
}
