using Microsoft.Extensions.Logging;
using Skein.Modules.Isolated;
using Skein.Modules.Lifecycle;
using Skein.Modules.Process;

namespace Skein.Modules.BuiltIn;

/// <summary>
/// The loaders every node has. They live above <see cref="ModuleLoaders"/> and the loaders themselves, so the registry
/// names no loader and each kind of module depends only on what it needs.
/// </summary>
public static class BuiltInLoaders
{
    /// <summary>
    /// .NET assemblies in-process, scripts and executables as module processes, and — by name only — assemblies isolated
    /// in a module host process.
    /// </summary>
    /// <param name="supervision">How modules are supervised when their load request does not say; null for the defaults.</param>
    public static ModuleLoaders Create(ILogger? logger = null, ModuleSupervisorOptions? supervision = null) =>
        new(new AssemblyModuleLoader(supervision: supervision, logger: logger), new ProcessModuleLoader(logger: logger, supervision: supervision),
            new IsolatedModuleLoader(logger: logger, supervision: supervision));
}
