namespace Skein.Modules.Process;

/// <summary>Why a forwarded call failed: the module's own exception, or a failure the node reports for the module.</summary>
/// <param name="kind"><see cref="RemoteErrorKind.Application"/> for an exception of the module's code; any other kind is the framework's.</param>
/// <param name="message">For the framework's kinds, the whole message the caller sees (it names the module).</param>
/// <param name="service">The service called.</param>
/// <param name="method">The method called.</param>
public sealed class ModuleError(RemoteErrorKind kind, string message, string service, string method)
{
    public RemoteErrorKind Kind { get; } = kind;

    public string Message { get; } = message;

    public string Service { get; } = service;

    public string Method { get; } = method;

    /// <summary>For an application error, the exception's type as the module named it.</summary>
    public string? Type { get; init; }

    /// <summary>For an application error, the module's stack trace, if it sent one.</summary>
    public string? StackTrace { get; init; }
}
