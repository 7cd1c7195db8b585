using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Logging;
using Skein.Modules.Lifecycle;

namespace Skein.Modules;

/// <summary>
/// A .NET assembly loaded into its own collectible <see cref="AssemblyLoadContext"/>, run by a
/// <see cref="ModuleSupervisor"/>: each run makes a fresh <see cref="IModuleHooks"/> object (when the module has
/// one) and runs its initialize and activate hooks; a hook that throws, or a failure the module reports through its
/// <see cref="ModuleContext"/>, is a crash the restart policy answers with a fresh run in the same load context.
/// Unloading stops the module (its stop hook), drops every reference this object holds into it and unloads the
/// context; the runtime frees it once nothing else (a hosted object, a running call, a cached type) still points into it.
/// </summary>
public sealed class AssemblyModule : LoadedModule
{
    private readonly ModuleLoadRequest _request;
    private readonly ModuleSupervisor _supervisor;
    private AssemblyLoadContext? _context;
    private Assembly? _assembly;
    private Type? _hooks;
    private IReadOnlyList<ModuleService> _services;
    private int _started;

    internal AssemblyModule(ModuleLoadRequest request, ModuleFile file, AssemblyLoadContext context, Assembly assembly,
        IReadOnlyList<AssemblyModuleService> services, Type? hooks, ModuleSupervisorOptions? supervision, ILogger logger)
        : base(request.Name, ModuleFormats.Assembly, file)
    {
        _request = request;
        _context = context;
        _assembly = assembly;
        _services = services;
        _hooks = hooks;
        _supervisor = new ModuleSupervisor(request.Name, CreateRun, supervision, logger: logger) { GiveUpIfFirstStartFails = true };
    }

    /// <summary>The module's main assembly; null once unloaded.</summary>
    public Assembly? Assembly => Volatile.Read(ref _assembly);

    /// <summary>The module's load context; null once unloaded.</summary>
    public AssemblyLoadContext? LoadContext => Volatile.Read(ref _context);

    /// <summary>The module's <see cref="IModuleHooks"/> class, or null when it has none (or is unloaded).</summary>
    public Type? HooksType => Volatile.Read(ref _hooks);

    public override IReadOnlyList<ModuleService> Services => Volatile.Read(ref _services);

    public override ModuleSupervisor Supervisor => _supervisor;

    public override Task StartAsync(CancellationToken cancellationToken) =>
        SupervisedStart.RunAsync(_supervisor, Interlocked.Exchange(ref _started, 1) == 0, cancellationToken);

    private AssemblyRun CreateRun() =>
        new(_request, Volatile.Read(ref _hooks));

    public override async ValueTask UnloadAsync()
    {
        // The stop hook runs first, while the module's code may still run; only then does the context go.
        await _supervisor.DisposeAsync().ConfigureAwait(false);
        UnloadContext();
    }

    // Not part of the async method: its state machine would keep the context in a field while the caller's
    // continuations run inline on this stack, and a caller that collects at once would find it still alive.
    private void UnloadContext()
    {
        var context = Interlocked.Exchange(ref _context, null);
        if (context is null) return;
        Volatile.Write(ref _services, []);
        Volatile.Write(ref _assembly, null);
        Volatile.Write(ref _hooks, null);
        context.Unload();
    }
}
