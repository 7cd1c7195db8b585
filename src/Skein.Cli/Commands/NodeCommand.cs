using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Skein.Cluster;
using Skein.Modules.Discovery;
using Skein.Cluster.Addressing;
using Skein.Cluster.Configuration;

namespace Skein.Cli.Commands;

/// <summary><c>skein node --join ADDR</c>: join a cluster and stay in it until Ctrl+C or SIGTERM.</summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var join = new Option<string?>("--join") { Description = "The coordinator to join, HOST:PORT (default: the connection file in the state directory).", HelpName = "ADDR" };
        var name = new Option<string?>("--name") { Description = "This node's name, unique among live nodes (default: HOSTNAME-PID).", HelpName = "NAME" };
        var labels = new Option<string?>("--labels") { Description = "Labels offered for placement: KEY=VALUE pairs separated by commas.", HelpName = "K=V,…" };
        var cores = new Option<int?>("--cores") { Description = "Cores offered (default: all of this machine's).", HelpName = "N" };
        var slots = SlotsOption();
        var modules = ModuleOption();
        var loader = LoaderOption();
        var isolatedModules = IsolatedModuleOption();
        var listen = new Option<string>("--listen")
        {
            Description = "Where this node serves calls, HOST:PORT (port 0 picks a free one; other machines need a reachable HOST).",
            HelpName = "HOST:PORT",
            DefaultValueFactory = _ => "127.0.0.1:0",
        };
        var moduleDirs = ModuleDirOption();
        var anyPath = AnyModulePathOption();
        var allowReload = AllowReloadOption();
        var moduleRestart = new Option<string?>("--module-restart")
        {
            Description = "The restart policy of modules that do not declare their own: permanent (the default), transient or temporary.",
            HelpName = "POLICY",
        };
        var moduleOnFailure = new Option<string?>("--module-on-failure")
        {
            Description = "What a module that failed for good does to this node, unless it declares its own: withdraw (its services; the default) or fail-node (stop this node).",
            HelpName = "ACTION",
        };
        var tokenFile = ClusterConnection.TokenFileOption();
        var state = CommonOptions.State();
        // Set by skein up for its children, so they leave even when skein up itself is killed.
        var stopWithParent = new Option<bool>("--stop-with-parent") { Description = "Leave when standard input closes.", Hidden = true };
        var config = CommandConfiguration.ConfigOption();
        var flags = new NodeFlags(join, name, labels, cores, slots, listen, modules, loader, isolatedModules, moduleDirs, anyPath, allowReload, moduleRestart, moduleOnFailure);
        var command = new Command("node", "Join a cluster as a node and stay until Ctrl+C.") { join, name, labels, cores, slots, modules, isolatedModules, loader, moduleDirs, anyPath, allowReload, moduleRestart, moduleOnFailure, listen, tokenFile, state, config, stopWithParent };
        command.SetAction(async (parse, _) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var stateDirectory = parse.GetValue(state)!;
            // skein.yaml, then SKEIN_NODE__… variables, then the flags given.
            var settings = CommandConfiguration.ForNode(parse, config, flags);
            var joinAddress = ClusterConnection.ResolveAddress(settings.Join, stateDirectory).ToString();
            var token = ClusterConnection.ResolveToken(parse.GetValue(tokenFile), stateDirectory);
            var nodeName = settings.Name ?? new NodeOptions().Name;
            // Services learn which node they run on from SKEIN_NODE (the worker example reports it).
            Environment.SetEnvironmentVariable("SKEIN_NODE", nodeName);
            using var shutdown = new Shutdown();
            if (parse.GetValue(stopWithParent)) shutdown.StopWhenStandardInputCloses();
            var builder = CliHost.CreateBuilder();
            builder.Services.AddSkeinNode(options =>
            {
                settings.ApplyTo(options);
                options.Join = joinAddress;
                options.Token = token;
                options.Name = nodeName;
                // Attempts that cannot run in their job file's directory get a fresh one under the state directory.
                options.StateDirectory = Path.GetFullPath(stateDirectory);
                // SKEIN_MODULE_PATH adds directories as --module-dir does: the node discovers modules there and may load from them.
                foreach (var directory in ModuleSearchPath.FromEnvironment()) options.ModuleDirectories.Add(directory);
            });
            var host = builder.Build();
            var node = host.Services.GetRequiredService<Node>();
            node.ModuleLoaded += (path, module) =>
                output.WriteLine($"node {nodeName} hosts {string.Join(", ", module.Services.Select(s => s.Name))} from {Path.GetFileName(Path.TrimEndingDirectorySeparator(path))} ({module.Loader})");
            node.EventRefused += ex => parse.InvocationConfiguration.Error.WriteLine($"skein: node {nodeName}: event refused: {EventLine.Problem(ex)}");
            // A module declared on-failure: fail-node that failed for good takes the node down, and the exit says why.
            node.FailNodeRequested += (_, _) => shutdown.Stop();
            node.Joined += nodeId =>
            {
                output.WriteLine($"node {nodeName} joined {ClusterAddress.Format(node.Coordinator!)} as {nodeId}");
                output.Flush();
            };
            try
            {
                await CliHost.StartAsync(host, shutdown.Token).ConfigureAwait(false);
                await shutdown.WaitAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (shutdown.Token.IsCancellationRequested)
            {
                // Stopped (or a module failed for good) before the node had joined: the same ending, said below.
            }
            finally
            {
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await CliHost.DisposeAsync(host).ConfigureAwait(false);
            }
            if (node.FailedModule is { } failed)
            {
                parse.InvocationConfiguration.Error.WriteLine(
                    $"skein: node {nodeName} stopped because module {failed.Module} failed and is declared on-failure: fail-node: {failed.Reason}");
                return ExitCodes.TasksFailed;
            }
            output.WriteLine($"node {nodeName} left");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>--slots N: how many cores' worth of job tasks the node runs at once (skein up passes it on to its nodes).</summary>
    internal static Option<int?> SlotsOption() => new("--slots")
    {
        Description = "How many cores' worth of job tasks this node runs at once (default: its cores).",
        HelpName = "N",
    };

    /// <summary>--loader NAME: the loader of every --module (skein up passes it on to its nodes).</summary>
    internal static Option<string?> LoaderOption() => new("--loader")
    {
        Description = "Load every --module with this loader (assembly, process or isolated) instead of the one its file suggests.",
        HelpName = "NAME",
    };

    /// <summary>--module-dir DIR, repeatable: where 'skein module load' may load from (skein up passes it on to its nodes).</summary>
    internal static Option<string[]> ModuleDirOption() => new("--module-dir")
    {
        Description = "A directory 'skein module load' may load modules from, and finds them in by name; repeat for more (default: none; SKEIN_MODULE_PATH adds more).",
        HelpName = "DIR",
        Arity = ArgumentArity.ZeroOrMore,
    };

    internal static Option<bool> AnyModulePathOption() => new("--allow-any-module-path") { Description = "Let 'skein module load' load a module from any path on this machine." };

    internal static Option<bool> AllowReloadOption() => new("--allow-reload") { Description = "Let 'skein module reload' reload modules (a debugging aid)." };

    /// <summary>--isolated-module PATH, repeatable: .NET assemblies the node runs out of process, each in a module host.</summary>
    internal static Option<string[]> IsolatedModuleOption() => new("--isolated-module")
    {
        Description = "A .NET assembly to host in a module host process of its own, so that a crash in it takes only that process down; repeat for more.",
        HelpName = "PATH",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>--module PATH, repeatable: .NET assemblies whose service implementations the node hosts.</summary>
    internal static Option<string[]> ModuleOption() => new("--module")
    {
        Description = "A module this node hosts: a .NET assembly, a script or an executable, or a folder with a module.yaml or a file named after it; repeat for more.",
        HelpName = "PATH",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };
}
