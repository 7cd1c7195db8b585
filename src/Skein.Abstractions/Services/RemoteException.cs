namespace Skein;

/// <summary>
/// A remote call failed. The failure arrives as data: the original exception's type name, message and stack trace,
/// the node and service it happened on, and — through <see cref="Kind"/> — whether it came from the service's own
/// code or from the framework, so a caller knows whether trying again can help.
/// </summary>
public sealed class RemoteException : SkeinException
{
    public RemoteException(
        RemoteErrorKind kind,
        string message,
        string? remoteType = null,
        string? remoteStackTrace = null,
        string? node = null,
        string? service = null,
        string? method = null,
        RemoteException? inner = null)
        : base(message, inner!)
    {
        Kind = kind;
        RemoteType = remoteType ?? "";
        RemoteStackTrace = remoteStackTrace ?? "";
        Node = node ?? "";
        Service = service ?? "";
        Method = method ?? "";
    }

    public RemoteErrorKind Kind { get; }

    /// <summary>The full name of the exception type thrown remotely, e.g. "System.InvalidOperationException".</summary>
    public string RemoteType { get; }

    public string RemoteStackTrace { get; }

    /// <summary>The node that served (or should have served) the call.</summary>
    public string Node { get; }

    public string Service { get; }

    public string Method { get; }

    /// <summary>True for framework failures a retry may cure (a lost node, an unreachable one, a full service).</summary>
    public bool IsRetriable => Kind is RemoteErrorKind.NodeLost or RemoteErrorKind.Unavailable or RemoteErrorKind.CapacityReached
        or RemoteErrorKind.ServiceNotFound or RemoteErrorKind.DeadlineExceeded;

    public override string? StackTrace => RemoteStackTrace.Length > 0 ? RemoteStackTrace + Environment.NewLine + "--- end of remote stack trace ---" + Environment.NewLine + base.StackTrace : base.StackTrace;
}
