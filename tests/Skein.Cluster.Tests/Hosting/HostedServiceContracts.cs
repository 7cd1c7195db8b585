using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Tests.Hosting;

[Service("greeting")]
public interface IGreeting
{
    Task<string> GreetAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>An application's own registration that a service depends on.</summary>
public sealed class GreetingWords(string hello)
{
    public string Hello { get; } = hello;
}

/// <summary>A service whose constructor takes the application's registration, a logger, options and the node's client.</summary>
[ServiceInstance(InstanceMode.Singleton)]
public sealed class Greeting(GreetingWords words, ILogger<Greeting> logger, IOptions<NodeOptions> node, SkeinClient client) : IGreeting
{
    public SkeinClient Client { get; } = client;

    public Task<string> GreetAsync(string name, CancellationToken cancellationToken = default)
    {
        logger.LogInformation("greeting {Name}", name);
        return Task.FromResult($"{words.Hello}, {name}, from {node.Value.Name}");
    }
}

[Service("scoped-probe")]
public interface IScopedProbe : IAsyncDisposable
{
    Task<int> IdAsync();
}

/// <summary>Counts the scoped resources made and disposed, and says when one is disposed.</summary>
public sealed class ScopeLog
{
    private int _next;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, TaskCompletionSource> _disposed = new();

    public int Next() => Interlocked.Increment(ref _next);

    public Task Disposed(int id) => _disposed.GetOrAdd(id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void MarkDisposed(int id) => _disposed.GetOrAdd(id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}

/// <summary>A scoped dependency: one per per-connection object, disposed with that object's scope.</summary>
public sealed class ScopedResource(ScopeLog log) : IDisposable
{
    public int Id { get; } = log.Next();

    public void Dispose() => log.MarkDisposed(Id);
}

public sealed class ScopedProbe(ScopedResource resource) : IScopedProbe
{
    public Task<int> IdAsync() => Task.FromResult(resource.Id);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
