using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Skein.Cluster.Configuration;

namespace Skein.Examples.Hosting;

[Service("greeter")]
public interface IGreeter : IAsyncDisposable
{
    Task<string> GreetAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>The application's own settings, registered in its container like any other.</summary>
public sealed record GreeterSettings(string Salutation);

/// <summary>
/// Made by the node's container for each proxy (per-connection, the default), with what its constructor asks for:
/// the application's registration, a logger, the node's options.
/// </summary>
public sealed class Greeter(GreeterSettings settings, ILogger<Greeter> logger, IOptions<NodeOptions> node) : IGreeter
{
    public Task<string> GreetAsync(string name, CancellationToken cancellationToken = default)
    {
        logger.LogInformation("greeting {Name}", name);
        return Task.FromResult($"{settings.Salutation}, {name}, from node {node.Value.Name}");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
