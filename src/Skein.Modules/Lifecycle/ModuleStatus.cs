namespace Skein.Modules.Lifecycle;

/// <summary>What <c>skein module list</c> shows about a supervised module at one moment.</summary>
/// <param name="Restarts">Restarts since the module was first started, over its whole life (not only the window).</param>
/// <param name="LastExit">How its last run ended, or null while its first run goes on.</param>
public sealed record ModuleStatus(string Module, ModuleState State, DateTimeOffset Since, int Restarts, string? LastExit);
