using Skein.Cluster.Modules.Stdio;

namespace Skein.Cluster.Modules.Process;

/// <summary>A service a module process answers: its calls are forwarded to <see cref="Module"/> over stdio.</summary>
public sealed class ProcessModuleService(ProcessModule module, StdioServiceDescription description) : ModuleService(description.Name)
{
    public ProcessModule Module { get; } = module;

    /// <summary>The service as the module's hello described it.</summary>
    public StdioServiceDescription Description { get; } = description;
}
