namespace Skein.Cluster.Apps;

/// <summary>One step of starting or stopping apps; <see cref="ToString"/> is its progress line.</summary>
public sealed record AppProgress(AppProgressKind Kind, string App, string? Module = null, string? Node = null, string? Detail = null)
{
    public override string ToString() => Kind switch
    {
        AppProgressKind.AppStarting => $"starting app {App}{Suffix}",
        AppProgressKind.AppAlreadyRunning => $"app {App} is already running{Suffix}",
        AppProgressKind.ModuleLoading => $"  {App}: loading {Module} on {Node}{Suffix}",
        AppProgressKind.ModuleLoaded => $"  {App}: {Module} is active on {Node}{Suffix}",
        AppProgressKind.ModuleAlreadyLoaded => $"  {App}: {Module} is already loaded on {Node}",
        AppProgressKind.AppStarted => $"app {App} is running",
        AppProgressKind.RollingBack => $"app {App} failed to start; stopping what this start loaded{Suffix}",
        AppProgressKind.ModuleRolledBack => $"  {App}: unloaded {Module} from {Node}{Suffix}",
        AppProgressKind.AppStopping => $"stopping app {App}{Suffix}",
        AppProgressKind.AppNotRunning => $"app {App} is not running",
        AppProgressKind.AppKept => $"app {App} keeps running{Suffix}",
        AppProgressKind.ModuleUnloaded => $"  {App}: unloaded {Module} from {Node}",
        AppProgressKind.AppStopped => $"app {App} stopped",
        _ => $"{App}: {Detail}",
    };

    private string Suffix => Detail is null ? "" : $" ({Detail})";
}
