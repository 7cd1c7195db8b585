using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using MessagePack;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Codecs;
using Skein.Modules.Process;

namespace Skein.Cluster.Services.Hosting;

/// <summary>
/// Envelopes to and from a module process's terms (<see cref="ModuleCall"/>, <see cref="ModuleReply"/>): the wire stays
/// on this side, the module's process on the other. Payloads pass through without a copy both ways.
/// </summary>
internal static class ModuleEnvelopes
{
    /// <summary>
    /// The call <paramref name="request"/> makes, with its arguments as JSON; false, with the <c>BadArguments</c>
    /// answer in <paramref name="refusal"/>, when its payload is not one a module can read.
    /// </summary>
    public static bool TryToCall(Envelope request, string node, out ModuleCall call, [NotNullWhen(false)] out Envelope? refusal)
    {
        call = default;
        refusal = null;
        ReadOnlyMemory<byte> arguments;
        try
        {
            arguments = Json(request);
        }
        catch (MessagePackSerializationException ex)
        {
            refusal = RemoteErrors.FailedReply(request, RemoteErrorKind.BadArguments,
                $"the arguments of {request.Service}.{request.Method} are not valid MessagePack: {ex.Message}", node);
            return false;
        }
        catch (PayloadException ex)
        {
            refusal = RemoteErrors.FailedReply(request, RemoteErrorKind.BadArguments, $"{request.Service}.{request.Method}: {ex.Message}", node);
            return false;
        }
        call = new ModuleCall(request.ConversationId, request.Service, request.Method, arguments)
        {
            Instance = request.Instance,
            TimeoutMs = request.TimeoutMs,
        };
        return true;
    }

    // Modules speak JSON, as does a caller that leaves the content type empty; a .NET caller sends MessagePack, which
    // converts without knowing the types. Anything else is not guessed at.
    private static ReadOnlyMemory<byte> Json(Envelope request) => request.ContentType switch
    {
        "" or JsonPayloadCodec.MediaType => request.Payload.Memory,
        MessagePackPayloadCodec.MediaType => System.Text.Encoding.UTF8.GetBytes(MessagePackSerializer.ConvertToJson(request.Payload.Memory)),
        var other => throw new PayloadException(
            $"content type '{other}' is not one a module reads; use {JsonPayloadCodec.MediaType} (or leave it empty) or {MessagePackPayloadCodec.MediaType}"),
    };

    /// <summary>The envelope that carries <paramref name="reply"/> to the caller; failures name <paramref name="node"/>.</summary>
    public static Envelope ToEnvelope(in ModuleReply reply, string node)
    {
        var envelope = new Envelope
        {
            Kind = reply.IsStreamItem ? EnvelopeKind.StreamItem : EnvelopeKind.Response,
            ConversationId = reply.Conversation,
            Sequence = reply.Sequence,
        };
        if (reply.Error is { } error)
        {
            envelope.Status = EnvelopeStatus.Error;
            envelope.Error = error.Kind == RemoteErrorKind.Application
                ? new RemoteError
                {
                    Kind = Protocol.RemoteErrorKind.Application,
                    Type = error.Type ?? "",
                    Message = error.Message,
                    StackTrace = error.StackTrace ?? "",
                    Node = node,
                    Service = error.Service,
                    Method = error.Method,
                }
                : RemoteErrors.Framework(error.Kind, error.Message, node, error.Service, error.Method);
            return envelope;
        }
        envelope.Status = EnvelopeStatus.Ok;
        envelope.ContentType = reply.ContentType;
        // The module's frame is not reused once read: wrapping it is safe, and spares a copy of every answer.
        envelope.Payload = UnsafeByteOperations.UnsafeWrap(reply.Payload);
        return envelope;
    }

    /// <summary>The answer to a RELEASE of a module's object: the module is told, and answers nothing itself.</summary>
    public static Envelope Released(Envelope request) =>
        new() { Id = request.Id, Kind = EnvelopeKind.Response, ConversationId = request.ConversationId, Status = EnvelopeStatus.Ok, Service = request.Service };
}
