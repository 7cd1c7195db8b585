using Microsoft.Extensions.Logging;
using Skein.Modules.Lifecycle;

namespace Skein.Modules.Process;

/// <summary>
/// A module running as a child process, under a supervisor: a process that exits on its own is started again by the
/// restart policy (permanent by default: at most 5 restarts in 60 s, with backoff), and past the limit the module is
/// failed and <see cref="GaveUp"/> is raised so the node withdraws its services. Unloading stops it for good.
/// </summary>
public sealed class ProcessLoadedModule : LoadedModule
{
    private readonly IReadOnlyList<ModuleService> _services;
    private ProcessRun? _current;
    private ProcessModule? _first;
    private readonly ModuleSupervisor _supervisor;
    private bool _unloaded;
    private int _started;

    internal ProcessLoadedModule(ProcessModule first, string loader, ModuleFile file, Func<CancellationToken, Task<ProcessModule>> restart,
        ModuleSupervisorOptions? supervision, ILogger logger)
        : base(first.Name, loader, file)
    {
        _first = first;
        Attach(first);
        // A restarted process offers what its first run offered: the services are fixed at load.
        _services = first.Services.Select(s => (ModuleService)new ProcessModuleService(this, s)).ToList();
        _supervisor = new ModuleSupervisor(first.Name, () =>
        {
            var run = new ProcessRun(restart, Interlocked.Exchange(ref _first, null), Attach);
            _current = run;
            return run;
        }, supervision, logger: logger);
        _supervisor.GaveUp += (_, e) => GaveUp?.Invoke(e.Reason);
    }

    /// <summary>Events the module's processes publish (subject, JSON payload), across restarts.</summary>
    public event Action<string, ReadOnlyMemory<byte>>? Published;

    private void Attach(ProcessModule process) => process.Published += (subject, payload) => Published?.Invoke(subject, payload);

    /// <summary>Restarts, state and the last exit; drives calls that arrive while the process restarts.</summary>
    public override ModuleSupervisor Supervisor => _supervisor;

    /// <summary>The running process, or null between a crash and its restart.</summary>
    public ProcessModule? Process => _current?.Module is { IsRunning: true } running ? running : null;

    public override IReadOnlyList<ModuleService> Services => _unloaded ? [] : _services;

    /// <summary>Raised when the supervisor gives up on the module (its reason); the node then withdraws its services.</summary>
    public event Action<string>? GaveUp;

    public override Task StartAsync(CancellationToken cancellationToken) =>
        SupervisedStart.RunAsync(_supervisor, Interlocked.Exchange(ref _started, 1) == 0, cancellationToken);

    /// <summary>
    /// Starts a module process with <paramref name="start"/> and wraps it for its supervisor, which starts it again the
    /// same way after a crash. The first start fails the load directly (with the process's exit code and stderr); only
    /// later exits are the supervisor's to restart. The supervisor is not started here: its first run adopts this
    /// process once the host listens to its states.
    /// </summary>
    internal static async Task<LoadedModule> LoadAsync(string loader, ModuleFile file, Func<CancellationToken, Task<ProcessModule>> start,
        ModuleSupervisorOptions? supervision, ILogger logger, CancellationToken cancellationToken)
    {
        var first = await start(cancellationToken).ConfigureAwait(false);
        return new ProcessLoadedModule(first, loader, file, start, supervision, logger);
    }

    public override async ValueTask UnloadAsync()
    {
        _unloaded = true;
        await Supervisor.DisposeAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _first, null) is { } neverSupervised) await neverSupervised.DisposeAsync().ConfigureAwait(false);
    }
}
