namespace Skein.Modules;

/// <summary>
/// A module was found and loaded but did not start: its process exited or spoke no protocol before its hello, or its
/// initialize hook threw. Unlike bad input (a path, a name, a manifest), this is a failure of the module itself;
/// the CLI exits 1 for it rather than 2.
/// </summary>
public sealed class ModuleStartFailedException : SkeinException
{
    public ModuleStartFailedException(string message) : base(message) { }

    public ModuleStartFailedException(string message, Exception inner) : base(message, inner) { }
}
