using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skein.Modules.Lifecycle;

namespace Skein.Modules.Process;

/// <summary>
/// Loads scripts and executables (a <c>#!</c> line, an ELF binary, or a <c>.py</c> file run by python3) as module
/// processes that speak the stdio protocol (docs/module-protocol.md).
/// </summary>
public sealed class ProcessModuleLoader(ProcessModuleOptions? options = null, ILogger? logger = null, ModuleSupervisorOptions? supervision = null) : IModuleLoader
{
    private readonly ModuleSupervisorOptions? _supervision = supervision;
    private readonly ProcessModuleOptions _options = options ?? new ProcessModuleOptions();
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public string Name => ModuleFormats.Process;

    public bool CanLoad(string path, ReadOnlySpan<byte> firstBytes) => ModuleFormats.IsPython(path) || ModuleFormats.IsExecutable(firstBytes);

    public Task<LoadedModule> LoadAsync(ModuleLoadRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var file = ModuleFile.Read(request.Path);
        return ProcessLoadedModule.LoadAsync(Name, file, ct => ProcessModule.StartAsync(request, _options, _logger, ct),
            request.Supervision ?? _supervision, _logger, cancellationToken);
    }
}
