using System.CommandLine;
using Microsoft.Extensions.Logging;
using Skein.Cluster;
using Skein.Cluster.Modules;
using Skein.Cluster.Modules.Discovery;
using Skein.Cluster.Modules.Lifecycle;
using Skein.Cluster.Services.Hosting;

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
        var modules = ModuleOption();
        var loader = new Option<string?>("--loader")
        {
            Description = "Load every --module with this loader (assembly, process or isolated) instead of the one its file suggests.",
            HelpName = "NAME",
        };
        var isolatedModules = IsolatedModuleOption();
        var listen = new Option<string>("--listen")
        {
            Description = "Where this node serves calls, HOST:PORT (port 0 picks a free one; other machines need a reachable HOST).",
            HelpName = "HOST:PORT",
            DefaultValueFactory = _ => "127.0.0.1:0",
        };
        var moduleDirs = new Option<string[]>("--module-dir")
        {
            Description = "A directory 'skein module load' may load modules from, and finds them in by name; repeat for more (default: none; SKEIN_MODULE_PATH adds more).",
            HelpName = "DIR",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var anyPath = new Option<bool>("--allow-any-module-path") { Description = "Let 'skein module load' load a module from any path on this machine." };
        var allowReload = new Option<bool>("--allow-reload") { Description = "Let 'skein module reload' reload modules (a debugging aid)." };
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
        var flags = new NodeFlags(join, name, labels, cores, listen, modules, loader, isolatedModules, moduleDirs, anyPath, allowReload, moduleRestart, moduleOnFailure);
        var command = new Command("node", "Join a cluster as a node and stay until Ctrl+C.") { join, name, labels, cores, modules, isolatedModules, loader, moduleDirs, anyPath, allowReload, moduleRestart, moduleOnFailure, listen, tokenFile, state, config, stopWithParent };
        command.SetAction(async (parse, _) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var stateDirectory = parse.GetValue(state)!;
            // skein.yaml, then SKEIN_NODE__… variables, then the flags given.
            var settings = CommandConfiguration.ForNode(parse, config, flags);
            var options = new NodeOptions
            {
                Join = ClusterConnection.ResolveAddress(settings.Join, stateDirectory).ToString(),
                Token = ClusterConnection.ResolveToken(parse.GetValue(tokenFile), stateDirectory),
            };
            settings.ApplyTo(options);
            // Services learn which node they run on from SKEIN_NODE (the worker example reports it).
            Environment.SetEnvironmentVariable("SKEIN_NODE", options.Name);
            using var shutdown = new Shutdown();
            if (parse.GetValue(stopWithParent)) shutdown.StopWhenStandardInputCloses();
            using var loggers = ClusterLogging.CreateFactory();
            var hostOptions = new ServiceHostOptions { Loaders = ModuleLoaders.CreateDefault(loggers.CreateLogger("Skein.Modules"), settings.Supervision()) };
            settings.ApplyTo(hostOptions);
            await using var services = new ServiceHost(options.Name, hostOptions);
            // What modules publish, and their state changes from their first, go on the cluster's event bus.
            await using var bus = new Skein.Cluster.Events.ClusterEvents(ClusterAddress.Parse(options.Join), options.Token);
            services.Events += (subject, payload) =>
            {
                try
                {
                    bus.PublishAsync(subject, payload, ct: shutdown.Token); // queued; the stream reports failures itself
                }
                catch (ArgumentException ex)
                {
                    // A module's bad event (a bad subject, a payload over the limit) is refused; the module goes on.
                    parse.InvocationConfiguration.Error.WriteLine($"skein: node {options.Name}: event refused: {EventLine.Problem(ex)}");
                }
            };
            // A module declared on-failure: fail-node that failed for good takes the node down, and the exit says why.
            ModuleGaveUpEventArgs? failedModule = null;
            services.FailNodeRequested += (_, gaveUp) =>
            {
                Interlocked.CompareExchange(ref failedModule, gaveUp, null);
                shutdown.Stop();
            };
            try
            {
                // skein.yaml's modules, then --module (with --loader), then --isolated-module.
                foreach (var configured in settings.Modules)
                {
                    // Without a loader named, the file chooses: a .NET assembly is loaded into the node, a script or an
                    // executable runs as a module process speaking the stdio protocol.
                    var module = await services.AddModuleAsync(configured.ToRequest(), shutdown.Token).ConfigureAwait(false);
                    output.WriteLine($"node {options.Name} hosts {string.Join(", ", module.Services.Select(s => s.Name))} from {Path.GetFileName(Path.TrimEndingDirectorySeparator(configured.Path))} ({module.Loader})");
                }
                // SKEIN_MODULE_PATH adds directories as --module-dir does: the node discovers modules there and may load from them.
                var modulePaths = new ModulePaths([.. settings.ModuleDirectories, .. ModuleSearchPath.FromEnvironment()], settings.AllowAnyModulePath ?? false);
                var listenAt = settings.Listen ?? parse.GetValue(listen)!;
                await using var host = await NodeHost.StartAsync(services, options.Token, listenAt, ClusterLogging.Configure, shutdown.Token, modulePaths)
                    .ConfigureAwait(false);
                // Listening on every interface: tell others this machine's name, which they can resolve, not "localhost".
                var everywhere = listenAt.Split(':')[0] is "*" or "0.0.0.0" or "[::]";
                options.Address = $"{(everywhere ? System.Net.Dns.GetHostName() : host.Address.Host)}:{host.Address.Port}";
                foreach (var service in services.Describe()) options.Services.Add(service);
                using var agent = new NodeAgent(options, TimeProvider.System, loggers.CreateLogger<NodeAgent>());
                // A module that goes (its process exited) is withdrawn from the registry at once, so no call is routed to it.
                services.ServicesChanged += () => agent.UpdateServicesAsync(services.Describe(), shutdown.Token);
                await agent.RunAsync(
                    nodeId =>
                    {
                        output.WriteLine($"node {options.Name} joined {ClusterAddress.Format(agent.Coordinator)} as {nodeId}");
                        output.Flush();
                    },
                    shutdown.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (Volatile.Read(ref failedModule) is not null)
            {
                // A module failed for good before the node had joined: the same ending, said below.
            }
            if (Volatile.Read(ref failedModule) is { } failed)
            {
                parse.InvocationConfiguration.Error.WriteLine(
                    $"skein: node {options.Name} stopped because module {failed.Module} failed and is declared on-failure: fail-node: {failed.Reason}");
                return ExitCodes.TasksFailed;
            }
            output.WriteLine($"node {options.Name} left");
            return ExitCodes.Success;
        });
        return command;
    }

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
