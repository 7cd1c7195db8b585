namespace Skein.Engine;

/// <summary>
/// A task that calls a cluster service's method (<c>call: SERVICE.METHOD</c> with <c>args: [...]</c> in a job file)
/// and passes with the call's JSON result as its value. Only an executor connected to a cluster can run it; in one
/// process the run refuses it before anything starts.
/// </summary>
public sealed class ServiceCallAction : ITaskAction
{
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

    public override string ToString() => $"call {Service}.{Method}";
}
