namespace Skein.Modules.Lifecycle;

/// <summary>
/// Where a module stands in its life. <see cref="ModuleTransitions"/> says which moves are allowed;
/// <see cref="ModuleLifecycle"/> enforces them.
/// </summary>
public enum ModuleState
{
    /// <summary>Known to the node, not started yet.</summary>
    Created,

    /// <summary>Being loaded and running its initialize hook (a process module: started, its hello awaited).</summary>
    Initializing,

    /// <summary>Initialized; its activate hook has not run yet, so it takes no calls.</summary>
    Ready,

    /// <summary>Serving calls.</summary>
    Active,

    /// <summary>A stop was requested; calls already running may finish, new ones are refused.</summary>
    Stopping,

    /// <summary>Stopped on request, or ended on its own with a clean exit.</summary>
    Stopped,

    /// <summary>Crashed or could not start. The supervisor may restart it, or has given up.</summary>
    Failed,
}
