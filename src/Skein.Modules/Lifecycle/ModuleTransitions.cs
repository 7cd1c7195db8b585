namespace Skein.Modules.Lifecycle;

/// <summary>
/// The table of allowed state changes. Ordinary moves go forward only; leaving <see cref="ModuleState.Failed"/>
/// or <see cref="ModuleState.Stopped"/> for <see cref="ModuleState.Initializing"/> is a restart, which only the
/// supervisor performs (<see cref="ModuleLifecycle.Restart"/>), so a stray call cannot revive a module behind its back.
/// </summary>
/// <remarks>
/// <code>
/// created      → initializing
/// initializing → ready, stopping, failed
/// ready        → active, stopping, failed
/// active       → stopping, stopped (ended on its own with a clean exit), failed
/// stopping     → stopped
/// stopped      → initializing (restart only)
/// failed       → initializing (restart only)
/// </code>
/// </remarks>
public static class ModuleTransitions
{
    /// <summary>True when an ordinary move from <paramref name="from"/> to <paramref name="to"/> is allowed.</summary>
    public static bool IsAllowed(ModuleState from, ModuleState to) => (from, to) switch
    {
        (ModuleState.Created, ModuleState.Initializing) => true,
        (ModuleState.Initializing, ModuleState.Ready or ModuleState.Stopping or ModuleState.Failed) => true,
        (ModuleState.Ready, ModuleState.Active or ModuleState.Stopping or ModuleState.Failed) => true,
        (ModuleState.Active, ModuleState.Stopping or ModuleState.Stopped or ModuleState.Failed) => true,
        (ModuleState.Stopping, ModuleState.Stopped) => true,
        _ => false,
    };

    /// <summary>True when a restart may start from <paramref name="from"/>: the module's last run is over.</summary>
    public static bool CanRestartFrom(ModuleState from) => from is ModuleState.Failed or ModuleState.Stopped;
}
