using Skein.Modules.Lifecycle;

namespace Skein.Modules.Process;

/// <summary>One run of a module process, as its supervisor drives it: started (or handed over already started), watched, stopped.</summary>
internal sealed class ProcessRun(Func<CancellationToken, Task<ProcessModule>> start, ProcessModule? started, Action<ProcessModule> attach) : ISupervisedModule
{
    public ProcessModule? Module { get; private set; } = started;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (Module is null)
        {
            Module = await start(cancellationToken).ConfigureAwait(false);
            attach(Module);
        }
    }

    // A process module takes calls as soon as it has said hello.
    public Task ActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<ModuleExit> Completion => Module is { } module ? Watch(module) : Task.FromResult(ModuleExit.Requested);

    public Task StopAsync(TimeSpan grace, CancellationToken cancellationToken) => Module?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => Module?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static async Task<ModuleExit> Watch(ProcessModule module)
    {
        var reason = await module.Exited.ConfigureAwait(false);
        return reason == ProcessModule.StoppedReason ? ModuleExit.Requested : ModuleExit.Exited(module.ExitCode ?? -1, module.StderrTail, module.Cause);
    }
}
