using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Skein.Cluster.Addressing;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Tests.Support;

/// <summary>
/// A coordinator and nodes in this process, each in a generic host of its own composed with AddSkeinCoordinator and
/// AddSkeinNode as an application would, over real gRPC on loopback with free ports. Tests that need a cluster use
/// <see cref="Skein.Testing.TestCluster"/>; these are for what it does not do: a host built but not started, a
/// coordinator restarted over the same state directory.
/// </summary>
internal static class TestHosts
{
    /// <summary>A coordinator on a free loopback port with its state in <paramref name="stateDirectory"/>.</summary>
    public static async Task<RunningHost<Coordinator>> StartCoordinatorAsync(string stateDirectory, Action<CoordinatorOptions>? configure = null,
        CancellationToken cancellationToken = default)
    {
        var builder = CreateBuilder();
        builder.Services.AddSkeinCoordinator(options =>
        {
            options.Listen = "127.0.0.1:0";
            options.StateDirectory = stateDirectory;
            configure?.Invoke(options);
        });
        return await RunningHost<Coordinator>.StartAsync(builder, cancellationToken);
    }

    /// <summary>
    /// A node named <paramref name="name"/> joined to <paramref name="coordinator"/>, serving calls on a free loopback
    /// port; <paramref name="services"/> adds the application's own registrations (AddSkeinService and the rest).
    /// Returns once it has joined.
    /// </summary>
    public static Task<RunningHost<Node>> StartNodeAsync(Coordinator coordinator, string name, Action<IServiceCollection>? services = null,
        Action<NodeOptions>? configure = null, CancellationToken cancellationToken = default) =>
        StartNodeAsync(CreateNodeBuilder(coordinator, name, services, configure), cancellationToken);

    public static Task<RunningHost<Node>> StartNodeAsync(HostApplicationBuilder builder, CancellationToken cancellationToken = default) =>
        RunningHost<Node>.StartAsync(builder, cancellationToken);

    /// <summary>The builder <see cref="StartNodeAsync(Coordinator, string, Action{IServiceCollection}?, Action{NodeOptions}?, CancellationToken)"/> starts, for a test that adds to it first.</summary>
    public static HostApplicationBuilder CreateNodeBuilder(Coordinator coordinator, string name, Action<IServiceCollection>? services = null,
        Action<NodeOptions>? configure = null)
    {
        var builder = CreateBuilder();
        var token = ClusterToken.Read(coordinator.TokenPath);
        builder.Services.AddSkeinNode(options =>
        {
            options.Join = ClusterAddress.Format(coordinator.Address);
            options.Token = token;
            options.Name = name;
            options.Listen = "127.0.0.1:0";
            configure?.Invoke(options);
        });
        services?.Invoke(builder.Services);
        return builder;
    }

    /// <summary>A host with no configuration sources and no log output: the tests say what they need.</summary>
    public static HostApplicationBuilder CreateBuilder() => Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
}

/// <summary>A started host and the Skein runtime in it; disposing it stops the host (a node leaves) and disposes it.</summary>
internal sealed class RunningHost<T>(IHost host) : IAsyncDisposable where T : notnull
{
    private int _disposed;

    public IHost Host { get; } = host;

    public T Runtime => Host.Services.GetRequiredService<T>();

    public IServiceProvider Services => Host.Services;

    public static async Task<RunningHost<T>> StartAsync(HostApplicationBuilder builder, CancellationToken cancellationToken)
    {
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            await ((IAsyncDisposable)host).DisposeAsync();
            throw;
        }
        return new RunningHost<T>(host);
    }

    public Task StopAsync() => Host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await Host.StopAsync();
        await ((IAsyncDisposable)Host).DisposeAsync();
    }
}
