namespace Skein.Modules.Lifecycle;

/// <summary>The lower-case names states have in events, <c>skein module list</c> and messages.</summary>
public static class ModuleStateNames
{
    public static string ToText(this ModuleState state) => state switch
    {
        ModuleState.Created => "created",
        ModuleState.Initializing => "initializing",
        ModuleState.Ready => "ready",
        ModuleState.Active => "active",
        ModuleState.Stopping => "stopping",
        ModuleState.Stopped => "stopped",
        ModuleState.Failed => "failed",
        _ => state.ToString().ToLowerInvariant(),
    };
}
