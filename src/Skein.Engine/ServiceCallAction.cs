namespace Skein.Engine;

/// <summary>
/// A task that calls a cluster service's method (<c>call: SERVICE.METHOD</c> with <c>args: [...]</c> in a job file)
/// and passes with the call's JSON result as its value. Only an executor connected to a cluster can run it; in one
/// process the run refuses it before anything starts.
/// </summary>
public sealed class ServiceCallAction : ITaskAction, IReadsTaskOutputs
{
    /// <summary>Values go into the arguments inside JSON strings: escaped as JSON needs, and no more.</summary>
    private static readonly System.Text.Encodings.Web.JavaScriptEncoder JsonText = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private List<(string Key, OutputReference Reference)>? _outputReferences;

    /// <summary>The output a call task sets to its JSON result (<c>{{tasks.ID.outputs.result}}</c>).</summary>
    public const string ResultOutput = "result";

    /// <param name="service">The service's name.</param>
    /// <param name="method">The method's wire name (<c>Echo</c> for <c>EchoAsync</c>).</param>
    /// <param name="argumentsJson">The arguments as a JSON array, as <c>skein call</c> sends them.</param>
    public ServiceCallAction(string service, string method, string argumentsJson = "[]")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        ArgumentNullException.ThrowIfNull(argumentsJson);
        Service = service;
        Method = method;
        ArgumentsJson = argumentsJson;
    }

    public string Service { get; }

    public string Method { get; }

    /// <summary>The arguments, a JSON array.</summary>
    public string ArgumentsJson { get; }

    public string Fingerprint => $"call\n{Service}.{Method}\n{ArgumentsJson}";

    /// <summary>What a run without a cluster says of such a task.</summary>
    public string NeedsClusterMessage(string taskId) =>
        $"task '{taskId}' calls the cluster service {Service}.{Method}, so it needs a cluster: run it with --cluster or --nodes N";

    /// <summary>Only a cluster executor runs these; this process has no cluster to call.</summary>
    public ValueTask<ActionResult> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
        new(ActionResult.Errored(NeedsClusterMessage(context.TaskId)));

    /// <summary>The <c>{{tasks.ID.outputs.NAME}}</c> references in the arguments.</summary>
    public IReadOnlyList<(string Key, OutputReference Reference)> OutputReferences =>
        _outputReferences ??= [.. OutputPlaceholders.Find(ArgumentsJson).Select(reference => ("args", reference))];

    /// <summary>The call with each reference in its arguments replaced by the output's value, as JSON string text.</summary>
    public ITaskAction WithOutputs(Func<OutputReference, string> valueOf)
    {
        if (OutputReferences.Count == 0) return this;
        var filled = OutputPlaceholders.Fill(ArgumentsJson, valueOf, value => System.Text.Json.JsonEncodedText.Encode(value, JsonText).ToString());
        return new ServiceCallAction(Service, Method, filled);
    }

    public override string ToString() => $"call {Service}.{Method}";
}
