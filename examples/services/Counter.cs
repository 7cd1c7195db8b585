namespace Skein.Examples.Services;

/// <summary>Singleton: one shared count, so two clients see each other's increments.</summary>
[Service("counter")]
public interface ICounter
{
    Task<long> IncrementAsync(long by = 1);

    Task<long> GetAsync();
}

[ServiceInstance(InstanceMode.Singleton)]
public sealed class Counter : ICounter
{
    private long _count;

    public Task<long> IncrementAsync(long by = 1) => Task.FromResult(Interlocked.Add(ref _count, by));

    public Task<long> GetAsync() => Task.FromResult(Interlocked.Read(ref _count));
}
