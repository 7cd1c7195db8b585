namespace Skein.Modules.Lifecycle;

/// <summary>
/// A caller waited for a module that will not become active: it is stopping, or its supervisor gave up.
/// The message names the module and why, so it can go back to the caller as is.
/// </summary>
public sealed class ModuleUnavailableException : Exception
{
    public ModuleUnavailableException(string module, string message) : base(message) => Module = module;

    public string Module { get; }
}
