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
    }

    public ServiceContract Contract { get; }

    public InstanceMode Mode { get; }

    public TimeSpan Timeout { get; }

    private static IPayloadCodec Codec => MessagePackPayloadCodec.Instance;

    // Answers are read as their content type says: a module in another language answers in JSON.
    private static IPayloadCodec CodecOf(Envelope reply) => PayloadCodecs.For(reply.ContentType) ?? Codec;

    public async Task CallAsync(ContractMethod method, object?[] arguments)
    {
        await ExchangeAsync(method, arguments).ConfigureAwait(false);
    }

    public async Task<T> CallAsync<T>(ContractMethod method, object?[] arguments)
    {
        var reply = await ExchangeAsync(method, arguments).ConfigureAwait(false);
        try
        {
            return CodecOf(reply).DecodeValue<T>(reply.Payload.Memory);
        }
        catch (PayloadException ex)
        {
            throw RemoteErrors.Local(RemoteErrorKind.Internal, $"the reply of {Contract.Name}.{method.WireName} did not decode: {ex.Message}", "", Contract.Name, method.WireName);
        }
    }

    public async IAsyncEnumerable<T> StreamAsync<T>(ContractMethod method, object?[] arguments, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var callerToken = TokenOf(method, arguments);
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

    private async Task<Envelope> ExchangeAsync(ContractMethod method, object?[] arguments)
    {
        var token = TokenOf(method, arguments);
        token.ThrowIfCancellationRequested();
        var request = Request(method, arguments);
        var connection = Connection();
        var reply = await _caller.ExchangeAsync(connection, request, Timeout, token).ConfigureAwait(false);
        if (reply.Status == EnvelopeStatus.Error) throw RemoteErrors.ToException(reply.Error);
        return reply;
    }

    private Envelope Request(ContractMethod method, object?[] arguments)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var payload = Codec.EncodeArguments(method, arguments);
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
            TimeoutMs = method.IsStreaming || Timeout == System.Threading.Timeout.InfiniteTimeSpan ? 0 : (uint)Math.Min(Timeout.TotalMilliseconds, uint.MaxValue),
        };
    }

    private CallConnection Connection() => _fixed ?? _caller.PickPooled(Contract.Name);

    private static CancellationToken TokenOf(ContractMethod method, object?[] arguments) =>
        method.CancellationTokenIndex >= 0 && arguments[method.CancellationTokenIndex] is CancellationToken token ? token : default;

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
