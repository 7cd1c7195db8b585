namespace Skein.Cluster.Apps;

/// <summary>What <see cref="AppRunner"/> just did or is about to do, for progress lines.</summary>
public enum AppProgressKind
{
    AppStarting,
    AppAlreadyRunning,
    ModuleLoading,
    ModuleLoaded,
    ModuleAlreadyLoaded,
    AppStarted,
    RollingBack,
    ModuleRolledBack,
    AppStopping,
    AppNotRunning,
    AppKept,
    ModuleUnloaded,
    AppStopped,
}
