namespace Skein.Modules.Stdio;

/// <summary>
/// A failure as the module reports it; the node adds where it happened (node, service, method) when it turns this
/// into a <c>RemoteError</c>.
/// </summary>
/// <param name="Kind">Application for the module's own exceptions, or the framework kind (method_not_found, bad_arguments, …).</param>
/// <param name="Type">The exception's type name in the module's language, e.g. "ValueError".</param>
/// <param name="Message">The exception's message.</param>
/// <param name="StackTrace">The module's traceback, as text.</param>
public sealed record StdioError(RemoteErrorKind Kind, string Type, string Message, string? StackTrace = null);
