using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Skein.Cli;

/// <summary>
/// The generic host a long-running command (skein coordinator, node, up) composes its runtime in, with
/// <c>AddSkeinCoordinator</c> and <c>AddSkeinNode</c>: the CLI's log lines on stderr, and the command itself in
/// charge of stopping (its <see cref="Shutdown"/> decides the order), not the console lifetime.
/// </summary>
internal static class CliHost
{
    public static HostApplicationBuilder CreateBuilder()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        ClusterLogging.Configure(builder.Logging);
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        return builder;
    }

    /// <summary>
    /// Starts <paramref name="host"/>. Options refused at start are bad input, said as the options' own rules say it
    /// (the same words the runtime would use on its own).
    /// </summary>
    public static async Task StartAsync(IHost host, CancellationToken cancellationToken)
    {
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            throw new SkeinException(string.Join("; ", ex.Failures), ex);
        }
    }

    /// <summary>Stops and disposes <paramref name="host"/>, asynchronously: the runtimes in it dispose that way.</summary>
    public static async ValueTask DisposeAsync(IHost host)
    {
        if (host is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        else host.Dispose();
    }
}

/// <summary>Replaces the console lifetime: Ctrl+C and SIGTERM reach the command's <see cref="Shutdown"/>, which stops the host in its own order.</summary>
internal sealed class CommandLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
