using System.Diagnostics;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Diagnostics;

/// <summary>
/// Spans around remote calls, named <c>service/method</c> with the OpenTelemetry RPC tags and the conversation id. The
/// caller's span travels in the envelope's <c>trace_parent</c>, so the node's span joins its trace. Nothing is made,
/// and nothing is added to the envelope, while nobody listens.
/// </summary>
internal static class CallActivities
{
    private static readonly ActivitySource Source = new(SkeinDiagnostics.ActivitySourceName, typeof(CallActivities).Assembly.GetName().Version?.ToString());

    /// <summary>Whether anyone listens: calls then take the path that gives each its span.</summary>
    public static bool IsTracing => Source.HasListeners();

    /// <summary>Starts the caller's span of <paramref name="request"/> to <paramref name="node"/>, and puts it in the request.</summary>
    public static Activity? StartClient(Envelope request, string node)
    {
        if (!Source.HasListeners()) return null;
        var activity = Source.StartActivity(Name(request), ActivityKind.Client);
        if (activity is null) return null;
        Tag(activity, request, node);
        if (activity.IdFormat == ActivityIdFormat.W3C) request.TraceParent = activity.Id;
        return activity;
    }

    /// <summary>
    /// As <see cref="StartClient"/>, for a stream: the span lasts until the stream ends, but is not made current, so
    /// that the consumer's own work between items is not counted as part of the call.
    /// </summary>
    public static Activity? StartStream(Envelope request, string node)
    {
        if (!Source.HasListeners()) return null;
        var previous = Activity.Current;
        var activity = StartClient(request, node);
        Activity.Current = previous;
        return activity;
    }

    /// <summary>The caller's span learns the conversation id once the connection has given one.</summary>
    public static void Sent(Activity? activity, Envelope request) => activity?.SetTag("skein.conversation_id", request.ConversationId);

    /// <summary>Starts the node's span of <paramref name="request"/>, a child of the caller's when it sent one.</summary>
    public static Activity? StartServer(Envelope request, string node)
    {
        if (!Source.HasListeners()) return null;
        ActivityContext.TryParse(request.TraceParent, null, isRemote: true, out var parent);
        var activity = Source.StartActivity(Name(request), ActivityKind.Server, parent);
        if (activity is null) return null;
        Tag(activity, request, node);
        activity.SetTag("skein.conversation_id", request.ConversationId);
        return activity;
    }

    public static void Failed(Activity? activity, string message) => activity?.SetStatus(ActivityStatusCode.Error, message);

    private static string Name(Envelope request) =>
        request.Kind == EnvelopeKind.Request ? $"{request.Service}/{request.Method}" : $"{request.Service}/{request.Kind}";

    private static void Tag(Activity activity, Envelope request, string node)
    {
        activity.SetTag("rpc.system", "skein");
        activity.SetTag("rpc.service", request.Service);
        activity.SetTag("rpc.method", request.Kind == EnvelopeKind.Request ? request.Method : request.Kind.ToString());
        activity.SetTag("skein.node", node);
    }
}
