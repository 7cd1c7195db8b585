namespace Skein.Cluster.Diagnostics;

/// <summary>The names under which Skein.Cluster reports traces: subscribe to them with OpenTelemetry or an <c>ActivityListener</c>.</summary>
public static class SkeinDiagnostics
{
    /// <summary>
    /// The assembly's one <see cref="System.Diagnostics.ActivitySource"/>: a span for each remote call on the caller
    /// (kind Client) and on the node that serves it (kind Server, the caller's span as its parent).
    /// </summary>
    public const string ActivitySourceName = "Skein.Cluster";
}
