using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skein.Modules.Lifecycle;
using Skein.Modules.Process;

namespace Skein.Modules.Isolated;

/// <summary>
/// Runs a .NET assembly out of process: a module host (Skein.Cluster.ModuleHost.ModuleHostProgram) loads it and speaks the stdio
/// protocol, so the node supervises it like any module process — a host that crashes (FailFast, an exit, a stack
/// overflow in the module) fails only its own calls and is restarted by the policy. Never chosen by a file's
/// contents: a module is isolated only when asked for by name (<c>--loader isolated</c>, <c>--isolated</c>).
/// </summary>
public sealed class IsolatedModuleLoader(
    IsolatedModuleOptions? options = null, ProcessModuleOptions? processOptions = null, ILogger? logger = null, ModuleSupervisorOptions? supervision = null)
    : IModuleLoader
{
    private readonly IsolatedModuleOptions _options = options ?? new IsolatedModuleOptions();
    private readonly ProcessModuleOptions _processOptions = processOptions ?? new ProcessModuleOptions();
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public string Name => ModuleFormats.Isolated;

    // An assembly goes in-process unless isolation is asked for.
    public bool CanLoad(string path, ReadOnlySpan<byte> firstBytes) => false;

    public Task<LoadedModule> LoadAsync(ModuleLoadRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var file = ModuleFile.Read(request.Path);
        if (!ModuleFormats.IsPortableExecutable(FirstBytes(file.Path)))
            throw new SkeinException($"{file.Path} is not a .NET assembly; only assemblies run isolated (scripts and executables are module processes already)");
        var command = ModuleHostCommand.For(file.Path, _options);
        return ProcessLoadedModule.LoadAsync(Name, file,
            ct => ProcessModule.StartAsync(request, Clone(command), _processOptions, _logger, ct), request.Supervision ?? supervision, _logger, cancellationToken);
    }

    private static byte[] FirstBytes(string path)
    {
        var head = new byte[2];
        using var stream = File.OpenRead(path);
        return head[..stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
    }

    // Each start fills in its own streams and environment: a restart gets a fresh copy.
    private static System.Diagnostics.ProcessStartInfo Clone(System.Diagnostics.ProcessStartInfo command)
    {
        var start = new System.Diagnostics.ProcessStartInfo(command.FileName);
        foreach (var argument in command.ArgumentList) start.ArgumentList.Add(argument);
        return start;
    }
}
