using System.Text;
using System.Text.Json;
using Skein.Cluster.Client;

namespace Skein.Pipelines.Elements;

/// <summary>
/// Calls a method of a cluster service by name with JSON arguments (as <c>skein call</c> does) through the run's
/// connected client, and outputs the result as JSON text. Needs a cluster: in a run without one it fails saying so.
/// </summary>
/// <example><code>new ServiceCall("stats", "Mean", "[[1, 2, 3, 4]]")</code></example>
public sealed class ServiceCall : Element
{
    /// <summary>Most bytes of JSON arguments accepted (configured or from the <c>arguments</c> port).</summary>
    public const int MaxArgumentBytes = 16 * 1024 * 1024;

    /// <param name="service">The service's name, as registered on the nodes.</param>
    /// <param name="method">The method's name.</param>
    /// <param name="arguments">The arguments as a JSON array, in the method's parameter order (default: none).</param>
    public ServiceCall(string service, string method, string arguments = "[]")
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(arguments);
        Service = service;
        Method = method;
        ConfiguredArguments = arguments;
    }

    public string Service { get; }

    public string Method { get; }

    /// <summary>The JSON arguments given in code; the <c>arguments</c> port replaces them when it is wired.</summary>
    public string ConfiguredArguments { get; }

    /// <summary>How long the call may take (the node cancels the handler after it); null: no limit of its own.</summary>
    public TimeSpan? CallTimeout { get; init; }

    /// <summary>Port <c>arguments</c> (optional): the arguments as a JSON array, computed upstream; replaces the configured ones.</summary>
    [Input(Optional = true)] public string? Arguments { get; set; }

    /// <summary>Port <c>result</c>: the result as JSON text (for a method that streams: its last item; <c>null</c> when it streamed none).</summary>
    [Output] public string Result { get; private set; } = "null";

    /// <summary>Port <c>results</c>: every item the method returned as JSON text (one for a method that does not stream).</summary>
    [Output] public IReadOnlyList<string> Results { get; private set; } = [];

    public override async ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Services?.GetService(typeof(SkeinClient)) is not SkeinClient client)
            throw new ElementFailedException(context.Element,
                $"calling {Service}.{Method} needs a cluster, and this run has none (run the pipeline on a cluster, or with --nodes N)");

        var arguments = Arguments ?? ConfiguredArguments;
        var json = Encoding.UTF8.GetBytes(arguments);
        if (json.Length > MaxArgumentBytes)
            throw new ElementFailedException(context.Element, $"the arguments of {Service}.{Method} are {json.Length} bytes, more than {MaxArgumentBytes}");
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new ElementFailedException(context.Element, $"the arguments of {Service}.{Method} must be a JSON array, not {Snippet.Of(arguments)}");
        }
        catch (JsonException ex)
        {
            throw new ElementFailedException(context.Element, $"the arguments of {Service}.{Method} are not JSON ({ex.Message}): {Snippet.Of(arguments)}", ex);
        }

        var results = new List<string>();
        try
        {
            await foreach (var value in client.CallJsonAsync(Service, Method, json, CallTimeout ?? System.Threading.Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false))
                results.Add(value.Length == 0 ? "null" : Encoding.UTF8.GetString(value.Span));
        }
        catch (RemoteException ex)
        {
            throw new ElementFailedException(context.Element, $"{Service}.{Method} failed{(ex.Node.Length > 0 ? " on node " + ex.Node : "")}: {ex.Message}", ex);
        }
        Results = results;
        Result = results.Count > 0 ? results[^1] : "null";
    }
}
