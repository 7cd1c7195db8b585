namespace Skein.Modules.Lifecycle;

/// <summary>
/// One run of a module, as its supervisor drives it: a process started once, or an assembly loaded once.
/// A restart asks the supervisor's factory for a fresh instance, so a run never has to reset itself.
/// </summary>
/// <remarks>
/// The supervisor disposes every run once it is over, including one whose start failed, so disposal must release
/// whatever the run still holds — a process that never said hello is still running and must be ended there.
/// A process module fits as: initialize = start the process and await its hello; activate = nothing;
/// <see cref="Completion"/> = the process's exit code and stderr tail; stop = shutdown request, grace, kill.
/// An assembly module fits as: initialize and activate = its hooks (their exceptions fail the start);
/// <see cref="Completion"/> = a hook's later exception, or a clean exit; stop = its stop hook, then unload.
/// </remarks>
public interface ISupervisedModule : IAsyncDisposable
{
    /// <summary>Loads and initializes the module. Throws when it cannot; a run that ends during this call must make it throw.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Makes the initialized module take calls. Throws when it cannot.</summary>
    Task ActivateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Completes when the run ends, however it ends — on its own, by crashing, or after <see cref="StopAsync"/>.
    /// Watched only once the module is active. Should not fault; if it does, the exception counts as a crash.
    /// </summary>
    Task<ModuleExit> Completion { get; }

    /// <summary>
    /// Asks the module to stop, waits up to <paramref name="grace"/>, then ends it by force. Cancelling means "force now".
    /// Called only on a stop request, possibly after the run has already ended; then it only has to return.
    /// </summary>
    Task StopAsync(TimeSpan grace, CancellationToken cancellationToken);
}
