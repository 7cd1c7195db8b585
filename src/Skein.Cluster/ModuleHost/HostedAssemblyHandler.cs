using System.Collections.Concurrent;
using Google.Protobuf;
using Skein.Modules;
using Skein.Modules.Stdio;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Codecs;
using Skein.Cluster.Services.Hosting;
using Skein.Cluster.Services.Transport;

namespace Skein.Cluster.ModuleHost;

/// <summary>
/// The module host's side of an isolated assembly: loads it into a <see cref="ServiceHost"/> of its own, as a node
/// would, and turns the node's frames into the envelopes that host already serves — so the services behave exactly as
/// they would in the node (codecs, instance modes, streams, cancellation, errors), only in another process.
/// </summary>
/// <param name="serviceHost">The module host's services, made by its generic host (<c>AddSkeinModuleHost</c>); this handler disposes them when it stops.</param>
internal sealed class HostedAssemblyHandler(string path, ServiceHost serviceHost) : IStdioModuleHandler, IEnvelopeSink
{
    // Conversations the node chooses stay below 2^53; the host's own (opening and releasing objects) use the top half.
    private const ulong OwnConversations = 1UL << 63;
    private readonly ConcurrentDictionary<ulong, ulong> _objects = new(); // the node's instance number → the host's reservation
    private readonly ConcurrentDictionary<ulong, Envelope?> _ownReplies = new(); // opens waiting for their answer
    private readonly Dictionary<string, InstanceMode> _modes = new(StringComparer.Ordinal);
    private readonly Lock _opening = new();
    private long _nextOwn;
    private ServiceHost? _host;
    private ServerConnection? _connection;
    private StdioModuleServer? _server;

    public async Task<IReadOnlyList<StdioServiceDescription>> StartAsync(StdioFrameHeader welcome, StdioModuleServer server, CancellationToken cancellationToken)
    {
        _server = server;
        _host = serviceHost;
        await _host.AddModuleAsync(new ModuleLoadRequest(path, welcome.Module, ModuleFormats.Assembly)
        {
            Config = welcome.Config,
            Arguments = welcome.Args ?? [],
        }, cancellationToken).ConfigureAwait(false);
        _connection = new ServerConnection(_host, this);
        var services = new List<StdioServiceDescription>();
        foreach (var info in _host.Describe())
        {
            var mode = info.Mode;
            _modes[info.Name] = mode;
            services.Add(new StdioServiceDescription(info.Name, mode,
                info.Methods.Select(m => new StdioMethodDescription(m.Name, [.. m.Parameters], m.Result.Length == 0 ? null : m.Result, m.Streaming)).ToList()));
        }
        return services;
    }

    public void Request(StdioFrame request)
    {
        var header = request.Header;
        var envelope = new Envelope
        {
            Kind = EnvelopeKind.Request,
            ConversationId = header.Conversation!.Value,
            Service = header.Service!,
            Method = header.Method!,
            ContentType = header.ContentType ?? JsonPayloadCodec.MediaType,
            TimeoutMs = header.TimeoutMs ?? 0,
            Payload = UnsafeByteOperations.UnsafeWrap(request.Payload),
        };
        if (header.Instance is { } instance && _modes.GetValueOrDefault(envelope.Service) == InstanceMode.PerConnection)
        {
            var (reserved, refused) = ObjectFor(envelope.Service, instance);
            if (refused is not null)
            {
                _server!.Fail(envelope.ConversationId, new StdioError(ToKind(refused.Kind), refused.Type, refused.Message, refused.StackTrace));
                return;
            }
            envelope.Instance = reserved;
        }
        _connection!.Receive(envelope);
    }

    // The node numbers a proxy's object; the host reserves one the first time that number is seen (as a proxy's open would).
    private (ulong Reserved, RemoteError? Refused) ObjectFor(string service, ulong instance)
    {
        if (_objects.TryGetValue(instance, out var reserved)) return (reserved, null);
        lock (_opening)
        {
            if (_objects.TryGetValue(instance, out reserved)) return (reserved, null);
            var reply = Own(new Envelope { Kind = EnvelopeKind.Open, Service = service }, answered: true);
            if (reply is not { Status: EnvelopeStatus.Ok } opened)
                return (0, reply?.Error ?? new RemoteError { Kind = Protocol.RemoteErrorKind.Internal, Type = "Skein.Internal", Message = $"could not make a {service} object" });
            _objects[instance] = opened.Instance;
            return (opened.Instance, null);
        }
    }

    public void Cancel(ulong conversation) => _connection?.Receive(new Envelope { Kind = EnvelopeKind.Cancel, ConversationId = conversation });

    public void Release(ulong instance, string? service)
    {
        if (_objects.TryRemove(instance, out var reserved))
            Own(new Envelope { Kind = EnvelopeKind.Release, Service = service ?? "", Instance = reserved }, answered: false);
    }

    // Sends one of the host's own envelopes. An open is answered before Receive returns; a release's answer says nothing.
    private Envelope? Own(Envelope envelope, bool answered)
    {
        var id = envelope.ConversationId = OwnConversations + (ulong)Interlocked.Increment(ref _nextOwn);
        if (answered) _ownReplies[id] = null;
        _connection!.Receive(envelope);
        return answered && _ownReplies.TryRemove(id, out var reply) ? reply : null;
    }

    public async ValueTask StopAsync()
    {
        _connection?.Close();
        if (_host is { } host) await host.DisposeAsync().ConfigureAwait(false);
    }

    void IEnvelopeSink.Send(Envelope envelope)
    {
        if (envelope.ConversationId >= OwnConversations)
        {
            if (_ownReplies.ContainsKey(envelope.ConversationId)) _ownReplies[envelope.ConversationId] = envelope;
            return;
        }
        var server = _server!;
        var conversation = envelope.ConversationId;
        if (envelope.Status == EnvelopeStatus.Error)
        {
            var error = envelope.Error ?? new RemoteError { Kind = Protocol.RemoteErrorKind.Internal, Type = "Skein.Internal", Message = "failed without saying why" };
            server.Fail(conversation, new StdioError(ToKind(error.Kind), error.Type, error.Message, error.StackTrace));
            return;
        }
        var contentType = envelope.ContentType.Length == 0 ? null : envelope.ContentType;
        if (envelope.Kind == EnvelopeKind.StreamItem) server.SendItem(conversation, envelope.Sequence, envelope.Payload.Memory, contentType);
        else server.Respond(conversation, envelope.Payload.Memory, contentType);
    }

    private static Skein.RemoteErrorKind ToKind(Protocol.RemoteErrorKind kind) =>
        Enum.IsDefined((Skein.RemoteErrorKind)(int)kind) ? (Skein.RemoteErrorKind)(int)kind : Skein.RemoteErrorKind.Internal;
}
