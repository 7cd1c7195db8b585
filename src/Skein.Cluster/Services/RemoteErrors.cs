using Skein.Cluster.Protocol;

namespace Skein.Cluster.Services;

/// <summary>Failures as data: exceptions to <see cref="RemoteError"/> messages on one side, back to <see cref="RemoteException"/> on the other.</summary>
internal static class RemoteErrors
{
    private const int MaxInnerDepth = 8;

    /// <summary>An exception the service's own code threw, with its inner exceptions.</summary>
    public static RemoteError FromApplication(Exception exception, string node, string service, string method) =>
        FromException(exception, node, service, method, 0);

    public static RemoteError Framework(RemoteErrorKind kind, string message, string node, string service, string method = "") => new()
    {
        Kind = ToWire(kind),
        Type = "Skein." + kind,
        Message = message,
        Node = node,
        Service = service,
        Method = method,
    };

    /// <summary>The RESPONSE that ends <paramref name="request"/>'s conversation with a framework failure on <paramref name="node"/>.</summary>
    public static Envelope FailedReply(Envelope request, RemoteErrorKind kind, string message, string node) =>
        FailedReply(request, Framework(kind, message, node, request.Service, request.Method));

    /// <summary>The RESPONSE that ends <paramref name="request"/>'s conversation with <paramref name="error"/>, carrying the request's id.</summary>
    public static Envelope FailedReply(Envelope request, RemoteError error)
    {
        var reply = FailedReply(request.ConversationId, error);
        reply.Id = request.Id;
        return reply;
    }

    /// <summary>The RESPONSE that ends conversation <paramref name="conversationId"/> with <paramref name="error"/>.</summary>
    public static Envelope FailedReply(ulong conversationId, RemoteError error) => new()
    {
        Kind = EnvelopeKind.Response,
        ConversationId = conversationId,
        Status = EnvelopeStatus.Error,
        Error = error,
    };

    public static RemoteException ToException(RemoteError error)
    {
        var inner = error.Inner is null ? null : ToException(error.Inner);
        return new RemoteException(FromWire(error.Kind), Describe(error), error.Type, error.StackTrace, error.Node, error.Service, error.Method, inner);
    }

    public static RemoteException Local(RemoteErrorKind kind, string message, string node, string service, string method = "") =>
        new(kind, message, "Skein." + kind, null, node, service, method);

    // The message a caller sees names where it happened; the bare message stays available through the properties.
    private static string Describe(RemoteError error)
    {
        if (error.Kind != Protocol.RemoteErrorKind.Application) return error.Message;
        var where = error.Method.Length > 0 ? $"{error.Service}.{error.Method}" : error.Service;
        return $"{error.Type} in {where} on node {error.Node}: {error.Message}";
    }

    private static RemoteError FromException(Exception exception, string node, string service, string method, int depth)
    {
        if (exception is System.Reflection.TargetInvocationException { InnerException: { } thrown }) exception = thrown;
        var error = new RemoteError
        {
            Kind = Protocol.RemoteErrorKind.Application,
            Type = exception.GetType().FullName ?? exception.GetType().Name,
            Message = exception.Message,
            StackTrace = exception.StackTrace ?? "",
            Node = node,
            Service = service,
            Method = method,
        };
        if (exception.InnerException is { } inner && depth < MaxInnerDepth) error.Inner = FromException(inner, node, service, method, depth + 1);
        return error;
    }

    private static Protocol.RemoteErrorKind ToWire(RemoteErrorKind kind) => (Protocol.RemoteErrorKind)(int)kind;

    private static RemoteErrorKind FromWire(Protocol.RemoteErrorKind kind) =>
        Enum.IsDefined((RemoteErrorKind)(int)kind) ? (RemoteErrorKind)(int)kind : RemoteErrorKind.Internal;
}
