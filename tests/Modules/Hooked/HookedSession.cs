namespace Hooked;

public sealed class HookedSession : IHookedSession
{
    private readonly int _run = Volatile.Read(ref Probe.HooksMade);

    public Task<string> RunAsync(CancellationToken cancellationToken = default) => Task.FromResult($"hooks {_run}");
}
