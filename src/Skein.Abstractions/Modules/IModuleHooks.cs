namespace Skein;

/// <summary>
/// What an assembly module runs as the node starts and stops it. Implement it on one public, non-abstract class with
/// a public parameterless constructor in the module's assembly; the node finds it there (a module with two such
/// classes is refused). A fresh instance is made for every run: the first start and each restart by the supervisor.
/// </summary>
/// <remarks>
/// The node calls <see cref="InitializeAsync"/>, then <see cref="ActivateAsync"/>; the module's services take calls
/// only after both returned. An exception from either fails that start: a load fails with the exception's message,
/// and a restart counts as a crash that the restart policy judges. <see cref="StopAsync"/> runs when the module is
/// unloaded, within the node's grace period; its exception is logged and the unload goes on.
/// </remarks>
public interface IModuleHooks
{
    /// <summary>Prepares the module: read its <see cref="ModuleContext.Config"/>, open what it needs.</summary>
    Task InitializeAsync(ModuleContext context, CancellationToken cancellationToken);

    /// <summary>Starts the module's work; once this returns its services take calls.</summary>
    Task ActivateAsync(CancellationToken cancellationToken);

    /// <summary>Stops the module's work. <paramref name="cancellationToken"/> fires when the grace period is over.</summary>
    Task StopAsync(CancellationToken cancellationToken);
}
