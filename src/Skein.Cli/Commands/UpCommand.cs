using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Skein.Cluster;
using Skein.Cluster.Addressing;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein up</c>: a local cluster for development — a coordinator in this process and N node child processes
/// of this same skein — kept until Ctrl+C, SIGTERM or <c>skein down</c>, then every process it started is stopped.
/// </summary>
internal static class UpCommand
{
    public const string PidFileName = "up.pid";
    // Above a node's own registration ceiling (2 min): a node on a loaded machine keeps trying, and says when it gives up.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "How many node processes to start.", HelpName = "N", DefaultValueFactory = _ => 2 };
        var listen = CoordinatorCommand.ListenOption("127.0.0.1:0");
        var modules = NodeCommand.ModuleOption();
        var isolatedModules = NodeCommand.IsolatedModuleOption();
        var state = CommonOptions.State();
        var config = CommandConfiguration.ConfigOption();
        // skein run --nodes starts skein up as its child: it stops when that parent is gone, however it went.
        var stopWithParent = new Option<bool>("--stop-with-parent") { Description = "Stop when standard input closes.", Hidden = true };
        // The node options that make sense for every node alike, defined once by skein node and passed on as given.
        var slots = NodeCommand.SlotsOption();
        var loader = NodeCommand.LoaderOption();
        var moduleDirs = NodeCommand.ModuleDirOption();
        var anyPath = NodeCommand.AnyModulePathOption();
        var allowReload = NodeCommand.AllowReloadOption();
        var labels = new Option<string[]>("--labels")
        {
            Description = "Labels offered for placement, KEY=VALUE pairs separated by commas: for every node, or for one node when prefixed by its name (node-2:gpu=true); repeat for more.",
            HelpName = "[NODE:]K=V,…",
        };
        var command = new Command("up", "Start a local cluster (a coordinator and N nodes) and keep it until Ctrl+C or 'skein down'.")
        {
            nodes, slots, labels, modules, isolatedModules, loader, moduleDirs, anyPath, allowReload, listen, state, config, stopWithParent,
        };
        command.SetAction(async (parse, _) =>
        {
            var count = parse.GetValue(nodes);
            if (count is < 0 or > 256) throw new SkeinException($"--nodes must be between 0 and 256, not {count}");
            // The whole file is checked here, before anything starts; the nodes read its node section themselves.
            var configured = CommandConfiguration.ForCoordinator(parse, config, listen);
            var configFile = CommandConfiguration.FilePath(parse, config);
            var nodeArguments = NodeArguments(parse, slots, loader, moduleDirs, anyPath, allowReload);
            var nodeLabels = UpLabels.PerNode(parse.GetValue(labels) ?? [], count);
            var stateDirectory = parse.GetValue(state)!;
            Directory.CreateDirectory(stateDirectory);
            var pidFile = Path.Combine(stateDirectory, PidFileName);
            if (ReadPid(pidFile) is { } running && Posix.Exists(running))
                throw new SkeinException($"a local cluster is already up from {Path.GetFullPath(stateDirectory)} (process {running}); stop it with 'skein down'");

            using var shutdown = new Shutdown();
            if (parse.GetValue(stopWithParent)) shutdown.StopWhenStandardInputCloses();
            // The coordinator runs in this process, composed as skein coordinator's is; the nodes are child processes.
            var builder = CliHost.CreateBuilder();
            builder.Services.AddSkeinCoordinator(options =>
            {
                options.StateDirectory = stateDirectory;
                configured.ApplyTo(options);
            });
            var host = builder.Build();
            try
            {
                await CliHost.StartAsync(host, CancellationToken.None).ConfigureAwait(false);
                return await RunAsync(parse, host.Services.GetRequiredService<Coordinator>(), host, shutdown, stateDirectory, pidFile, count, modules, isolatedModules, configFile, nodeArguments, nodeLabels)
                    .ConfigureAwait(false);
            }
            finally
            {
                await CliHost.DisposeAsync(host).ConfigureAwait(false);
            }
        });
        return command;
    }

    /// <summary>The node options given to skein up, as every node's command line repeats them (directories made absolute).</summary>
    private static List<string> NodeArguments(ParseResult parse, Option<int?> slots, Option<string?> loader, Option<string[]> moduleDirs, Option<bool> anyPath, Option<bool> allowReload)
    {
        var arguments = new List<string>();
        if (parse.GetValue(slots) is { } offered) arguments.AddRange(["--slots", offered.ToString(CultureInfo.InvariantCulture)]);
        if (parse.GetValue(loader) is { } name) arguments.AddRange(["--loader", name]);
        foreach (var directory in parse.GetValue(moduleDirs) ?? [])
        {
            if (!Directory.Exists(directory)) throw new SkeinException($"--module-dir {directory}: no such directory");
            arguments.AddRange(["--module-dir", Path.GetFullPath(directory)]);
        }
        if (parse.GetValue(anyPath)) arguments.Add("--allow-any-module-path");
        if (parse.GetValue(allowReload)) arguments.Add("--allow-reload");
        return arguments;
    }

    private static async Task<int> RunAsync(ParseResult parse, Coordinator coordinator, IHost host, Shutdown shutdown, string stateDirectory, string pidFile, int count,
        Option<string[]> modules, Option<string[]> isolatedModules, string? configFile, IReadOnlyList<string> nodeArguments, IReadOnlyDictionary<int, Dictionary<string, string>> nodeLabels)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var address = ClusterAddress.Format(coordinator.Address);
        await File.WriteAllTextAsync(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n").ConfigureAwait(false);
        var children = new List<NodeChild>();
        var exitCode = ExitCodes.Success;
        try
        {
            // Every node hosts every module: the local cluster mirrors one where a service runs on several nodes.
            var modulePaths = (parse.GetValue(modules) ?? []).Select(Path.GetFullPath).ToArray();
            var isolatedPaths = (parse.GetValue(isolatedModules) ?? []).Select(Path.GetFullPath).ToArray();
            foreach (var path in modulePaths.Concat(isolatedPaths))
            {
                if (!File.Exists(path) && !Directory.Exists(path)) throw new SkeinException($"module not found: {path}");
            }
            for (var i = 1; i <= count; i++)
            {
                IReadOnlyList<string> arguments = nodeLabels.TryGetValue(i, out var own) ? [.. nodeArguments, "--labels", UpLabels.Format(own)] : nodeArguments;
                children.Add(StartNode(address, $"node-{i}", coordinator.TokenPath, stateDirectory, modulePaths, isolatedPaths, configFile, arguments, error));
            }
            if (await WaitForNodesAsync(coordinator, children, shutdown.Token).ConfigureAwait(false) is { } problem)
            {
                // Not bad input: the nodes were asked for properly and did not come; nothing is left running.
                error.WriteLine($"skein: {problem}");
                exitCode = ExitCodes.TasksFailed;
            }
            else if (!shutdown.Token.IsCancellationRequested)
            {
                output.WriteLine($"cluster up at {address} with {count} node{(count == 1 ? "" : "s")}; stop it with Ctrl+C or 'skein down'");
                output.Flush();
                await shutdown.WaitAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await StopAllAsync(children).ConfigureAwait(false);
            await host.StopAsync().ConfigureAwait(false);
            if (ReadPid(pidFile) == Environment.ProcessId) File.Delete(pidFile);
        }
        output.WriteLine("cluster down");
        return exitCode;
    }

    internal static int? ReadPid(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A node process of this cluster, and whether it said it joined.</summary>
    private sealed record NodeChild(string Name, Process Process, Task Joined);

    /// <summary>
    /// Waits until every node process says it joined and the coordinator has each of them alive; null then, else what
    /// is missing. A node that exits first, or that has not joined by the deadline, fails the whole start, naming it:
    /// a cluster with fewer nodes than asked is never reported as up.
    /// </summary>
    private static async Task<string?> WaitForNodesAsync(Coordinator coordinator, List<NodeChild> children, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(StartTimeout);
        try
        {
            await Task.WhenAll(children.Select(c => JoinedOrExitedAsync(c, timeout.Token))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            // Fall through: the shortfall below names who is missing.
        }
        catch (NodeExitedException exited)
        {
            return exited.Message;
        }
        var alive = coordinator.Membership.List().Where(m => m.State == Skein.Cluster.Membership.MemberState.Alive).Select(m => m.Name);
        var said = children.Where(c => c.Joined.IsCompletedSuccessfully && !c.Process.HasExited).Select(c => c.Name);
        return Shortfall(children.Select(c => c.Name).ToList(), alive.Intersect(said, StringComparer.Ordinal)) is { } missing
            ? $"{missing} within {StartTimeout.TotalMinutes:0} min; the cluster is not up"
            : null;
    }

    private sealed class NodeExitedException(string message) : Exception(message);

    private static async Task JoinedOrExitedAsync(NodeChild child, CancellationToken cancellationToken)
    {
        var exited = child.Process.WaitForExitAsync(cancellationToken);
        if (await Task.WhenAny(child.Joined, exited).ConfigureAwait(false) == child.Joined) return;
        await exited.ConfigureAwait(false); // throws when cancelled
        throw new NodeExitedException($"{child.Name} exited with code {child.Process.ExitCode} before joining; the cluster is not up");
    }

    /// <summary>Null when every node asked for joined; else which did not, e.g. "only 1 of 2 nodes joined (missing: node-2)".</summary>
    internal static string? Shortfall(IReadOnlyList<string> asked, IEnumerable<string> joined)
    {
        var present = joined.ToHashSet(StringComparer.Ordinal);
        var missing = asked.Where(name => !present.Contains(name)).ToList();
        return missing.Count == 0 ? null : $"only {asked.Count - missing.Count} of {asked.Count} nodes joined (missing: {string.Join(", ", missing)})";
    }

    private static NodeChild StartNode(string address, string name, string tokenPath, string stateDirectory, string[] modules, string[] isolated, string? configFile, IReadOnlyList<string> nodeArguments, TextWriter error)
    {
        var start = SelfStart(["node", "--join", address, "--name", name, "--token-file", tokenPath, "--state", stateDirectory, "--stop-with-parent"]);
        foreach (var module in modules)
        {
            start.ArgumentList.Add("--module");
            start.ArgumentList.Add(module);
        }
        foreach (var module in isolated)
        {
            start.ArgumentList.Add("--isolated-module");
            start.ArgumentList.Add(module);
        }
        // Every node shares the file's node settings (labels, modules, limits); the name and a free loopback port are its own.
        if (configFile is not null)
        {
            start.ArgumentList.Add("--config");
            start.ArgumentList.Add(configFile);
        }
        foreach (var arg in nodeArguments) start.ArgumentList.Add(arg);
        start.ArgumentList.Add("--listen");
        start.ArgumentList.Add("127.0.0.1:0");
        // A local cluster loads modules at run time ('skein module load') from the directory it was started in.
        start.ArgumentList.Add("--module-dir");
        start.ArgumentList.Add(Environment.CurrentDirectory);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var joinedLine = $"node {name} joined ";
        void Forward(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            // The node's own word that its registration went through, not just the coordinator's count.
            if (e.Data.StartsWith(joinedLine, StringComparison.Ordinal)) joined.TrySetResult();
            lock (error) error.WriteLine($"[{name}] {e.Data}");
        }
        process.OutputDataReceived += Forward;
        process.ErrorDataReceived += Forward;
        process.Start(); // its standard input stays open while this process lives: see --stop-with-parent
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new NodeChild(name, process, joined.Task);
    }

    /// <summary>
    /// This same skein as a child running <paramref name="arguments"/>, its output and error read by the caller and its
    /// standard input held open (what <c>--stop-with-parent</c> watches).
    /// </summary>
    internal static ProcessStartInfo SelfStart(IEnumerable<string> arguments)
    {
        var (file, prefix) = SelfCommand();
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in prefix.Concat(arguments)) start.ArgumentList.Add(arg);
        return start;
    }

    /// <summary>How to start this same skein again: its apphost, or dotnet with its dll when run that way.</summary>
    internal static (string File, string[] Prefix) SelfCommand()
    {
        var processPath = Environment.ProcessPath ?? throw new SkeinException("cannot tell which executable is running; start nodes with 'skein node'");
        var name = Path.GetFileNameWithoutExtension(processPath);
        if (!name.Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return (processPath, []);
        var dll = Assembly.GetEntryAssembly()?.Location;
        if (string.IsNullOrEmpty(dll)) dll = Path.Combine(AppContext.BaseDirectory, "skein.dll");
        return (processPath, [dll]);
    }

    /// <summary>Asks every child to leave (SIGTERM), waits a grace period, then kills the ones still there.</summary>
    private static async Task StopAllAsync(List<NodeChild> nodes)
    {
        var children = nodes.Select(n => n.Process).ToList();
        foreach (var child in children)
        {
            if (!child.HasExited) Posix.Signal(child.Id, Posix.SigTerm);
        }
        using var grace = new CancellationTokenSource(StopGrace);
        foreach (var child in children)
        {
            try
            {
                await child.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync().ConfigureAwait(false);
            }
            child.Dispose();
        }
    }
}
