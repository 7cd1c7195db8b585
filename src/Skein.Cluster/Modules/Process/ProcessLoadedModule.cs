namespace Skein.Cluster.Modules.Process;

/// <summary>A module running as a child process; unloading it asks it to shut down and kills it after the grace period.</summary>
public sealed class ProcessLoadedModule : LoadedModule
{
    private IReadOnlyList<ModuleService> _services;

    public ProcessLoadedModule(ProcessModule process, ModuleFile file) : base(process.Name, ModuleFormats.Process, file)
    {
        Process = process;
        _services = process.Services.Select(s => (ModuleService)new ProcessModuleService(process, s)).ToList();
    }

    /// <summary>The running process and its protocol state.</summary>
    public ProcessModule Process { get; }

    public override IReadOnlyList<ModuleService> Services => _services;

    public override async ValueTask UnloadAsync()
    {
        _services = [];
        await Process.DisposeAsync().ConfigureAwait(false);
    }
}
