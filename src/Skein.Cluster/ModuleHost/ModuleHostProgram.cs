using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Skein.Modules.Isolated;
using Skein.Modules.Stdio;
using Skein.Cluster.Services.Hosting;

namespace Skein.Cluster.ModuleHost;

/// <summary>
/// The module host: the small process an isolated assembly runs in (<c>skein-module-host PATH</c>). It loads the
/// assembly and serves its services over the stdio protocol on its stdin and stdout, so that whatever the module
/// does — <c>Environment.FailFast</c>, a stack overflow, an exit — ends this process and not the node.
/// </summary>
public static class ModuleHostProgram
{
    /// <summary>The host's file name, beside the node's own assemblies.</summary>
    public const string FileName = IsolatedModuleOptions.HostFileName;

    /// <summary>Runs the host for <c>args[0]</c>, the assembly; returns the process's exit code.</summary>
    /// <returns>0 after a shutdown or the end of stdin; 1 when the assembly cannot be loaded; 2 on a usage error; 3 when the node broke the protocol.</returns>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length != 1 || args[0].StartsWith('-'))
        {
            await Console.Error.WriteLineAsync("usage: skein-module-host ASSEMBLY  (started by a Skein node for a module loaded with --isolated)").ConfigureAwait(false);
            return 2;
        }
        if (Environment.GetEnvironmentVariable("SKEIN_MODULE_PROTOCOL") != "1")
        {
            // Run by hand it would wait for a node's frames on a terminal; say what it is instead.
            await Console.Error.WriteLineAsync("skein-module-host speaks the module stdio protocol with a Skein node; load the assembly with `skein module load --isolated PATH` instead").ConfigureAwait(false);
            return 2;
        }
        var server = StdioModuleServer.ForConsole();
        // Composed as a node is: the module's service objects are made by this host's container. No logging provider:
        // stdout carries the protocol, and stderr is what the node reports of this process.
        var node = Environment.GetEnvironmentVariable("SKEIN_NODE") is { Length: > 0 } named ? named : "module-host";
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Services.AddSkeinModuleHost(node);
        var host = builder.Build();
        try
        {
            await server.RunAsync(new HostedAssemblyHandler(Path.GetFullPath(args[0]), host.Services.GetRequiredService<ServiceHost>()), cancellationToken)
                .ConfigureAwait(false);
            return 0;
        }
        catch (SkeinException ex)
        {
            // Before the hello: the node reports this exit with these lines of stderr.
            await Console.Error.WriteLineAsync($"cannot host {args[0]}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (ModuleProtocolException ex)
        {
            await Console.Error.WriteLineAsync($"the node broke the stdio protocol: {ex.Message}").ConfigureAwait(false);
            return 3;
        }
        catch (IOException)
        {
            return 0; // the pipes closed under us: the node is gone, and nobody is left to tell
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A module's own failure while loading (a type initializer, a hook): one line the node shows, not a stack trace.
            await Console.Error.WriteLineAsync($"cannot host {args[0]}: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        finally
        {
            if (host is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            else host.Dispose();
        }
    }
}
