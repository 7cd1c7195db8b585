namespace Hooked;

// A singleton, so that a restart has a shared object to drop and make again.
[ServiceInstance(InstanceMode.Singleton)]
public sealed class HookedService : IHooked
{
    private readonly int _number = Interlocked.Increment(ref Probe.ServicesMade);

    public Task<string> WhoAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult($"{Probe.Context!.Module} on {Probe.Context.Node}");

    public Task<string> InstanceAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult($"hooks {Volatile.Read(ref Probe.HooksMade)}, service {_number}");

    public Task CrashAsync(string message, CancellationToken cancellationToken = default)
    {
        Probe.Context!.Fail(new InvalidOperationException(message));
        return Task.CompletedTask;
    }

    public async Task<string> HoldAsync(CancellationToken cancellationToken = default)
    {
        Probe.Holding.TrySetResult();
        await Probe.HoldGate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return "held";
    }
}
