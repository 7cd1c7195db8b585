namespace Skein.Modules.Stdio;

/// <summary>
/// The bytes a module sent (or was about to be sent) break stdio protocol v1. The message names what was wrong,
/// because the person reading it is usually a module author whose program printed to stdout.
/// </summary>
public sealed class ModuleProtocolException : Exception
{
    public ModuleProtocolException() { }

    public ModuleProtocolException(string message) : base(message) { }

    public ModuleProtocolException(string message, Exception innerException) : base(message, innerException) { }
}
