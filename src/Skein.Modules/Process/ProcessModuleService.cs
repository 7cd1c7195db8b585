using Skein.Modules.Stdio;

namespace Skein.Modules.Process;

/// <summary>A service a module process answers: its calls are forwarded over stdio to the module's current process.</summary>
public sealed class ProcessModuleService(ProcessLoadedModule module, StdioServiceDescription description) : ModuleService(description.Name)
{
    public ProcessLoadedModule Module { get; } = module;

    /// <summary>The service as the module's hello described it.</summary>
    public StdioServiceDescription Description { get; } = description;
}
