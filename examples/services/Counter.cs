namespace Skein.Examples.Services;

/// <summary>Singleton: one shared count, so two clients see each other's increments.</summary>
[Service("counter")]
public interface ICounter
{
    Task<long> IncrementAsync(long by = 1);

    Task<long> GetAsync();

    /// <summary>
    /// Waits <paramref name="seconds"/> and returns the count, unless cancelled first — by the caller, or by the call's
    /// deadline passing. Cancelled waits are counted (<see cref="CancelledWaitsAsync"/>), so a caller can see that its
    /// deadline reached the service.
    /// </summary>
    Task<long> WaitAsync(double seconds, CancellationToken cancellationToken = default);

    /// <summary>How many waits were cancelled before their time was up.</summary>
    Task<long> CancelledWaitsAsync();
}

[ServiceInstance(InstanceMode.Singleton)]
public sealed class Counter : ICounter
{
    private long _count;
    private long _cancelledWaits;

    public Task<long> IncrementAsync(long by = 1) => Task.FromResult(Interlocked.Add(ref _count, by));

    public Task<long> GetAsync() => Task.FromResult(Interlocked.Read(ref _count));

    public async Task<long> WaitAsync(double seconds, CancellationToken cancellationToken = default)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _cancelledWaits);
            throw;
        }
        return Interlocked.Read(ref _count);
    }

    public Task<long> CancelledWaitsAsync() => Task.FromResult(Interlocked.Read(ref _cancelledWaits));
}
