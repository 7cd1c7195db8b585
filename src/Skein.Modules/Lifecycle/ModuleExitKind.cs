namespace Skein.Modules.Lifecycle;

/// <summary>How a module's run ended.</summary>
public enum ModuleExitKind
{
    /// <summary>It stopped because it was asked to.</summary>
    Requested,

    /// <summary>It ended with an exit code: a process's own, or 0 for an assembly module that finished cleanly.</summary>
    Exited,

    /// <summary>It threw: a hook's exception, a lost connection, a protocol error.</summary>
    Faulted,
}
