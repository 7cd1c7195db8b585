using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Skein.Cluster;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein up</c>: a local cluster for development — a coordinator in this process and N node child processes
/// of this same skein — kept until Ctrl+C, SIGTERM or <c>skein down</c>, then every process it started is stopped.
/// </summary>
internal static class UpCommand
{
    public const string PidFileName = "up.pid";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "How many node processes to start.", HelpName = "N", DefaultValueFactory = _ => 2 };
        var listen = CoordinatorCommand.ListenOption("127.0.0.1:0");
        var modules = NodeCommand.ModuleOption();
        var isolatedModules = NodeCommand.IsolatedModuleOption();
        var state = CommonOptions.State();
        var command = new Command("up", "Start a local cluster (a coordinator and N nodes) and keep it until Ctrl+C or 'skein down'.") { nodes, modules, isolatedModules, listen, state };
        command.SetAction(async (parse, _) =>
        {
            var count = parse.GetValue(nodes);
            if (count is < 0 or > 256) throw new SkeinException($"--nodes must be between 0 and 256, not {count}");
            var stateDirectory = parse.GetValue(state)!;
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            Directory.CreateDirectory(stateDirectory);
            var pidFile = Path.Combine(stateDirectory, PidFileName);
            if (ReadPid(pidFile) is { } running && Posix.Exists(running))
                throw new SkeinException($"a local cluster is already up from {Path.GetFullPath(stateDirectory)} (process {running}); stop it with 'skein down'");

            using var shutdown = new Shutdown();
            await using var coordinator = await Coordinator.StartAsync(
                new CoordinatorOptions { Listen = parse.GetValue(listen)!, StateDirectory = stateDirectory }, ClusterLogging.Configure).ConfigureAwait(false);
            var address = ClusterAddress.Format(coordinator.Address);
            await File.WriteAllTextAsync(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n").ConfigureAwait(false);
            var children = new List<Process>();
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
                    children.Add(StartNode(address, $"node-{i}", coordinator.TokenPath, stateDirectory, modulePaths, isolatedPaths, error));
                await WaitForNodesAsync(coordinator, children, count, shutdown.Token).ConfigureAwait(false);
                if (!shutdown.Token.IsCancellationRequested)
                {
                    output.WriteLine($"cluster up at {address} with {count} node{(count == 1 ? "" : "s")}; stop it with Ctrl+C or 'skein down'");
                    output.Flush();
                    await shutdown.WaitAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                await StopAllAsync(children).ConfigureAwait(false);
                await coordinator.StopAsync().ConfigureAwait(false);
                if (ReadPid(pidFile) == Environment.ProcessId) File.Delete(pidFile);
            }
            output.WriteLine("cluster down");
            return ExitCodes.Success;
        });
        return command;
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

    private static async Task WaitForNodesAsync(Coordinator coordinator, List<Process> children, int count, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(StartTimeout);
        var ready = coordinator.Membership.WaitForAliveAsync(count, timeout.Token);
        var exits = children.Select(c => c.WaitForExitAsync(timeout.Token)).ToList();
        while (true)
        {
            var done = await Task.WhenAny([ready, .. exits]).ConfigureAwait(false);
            if (done == ready)
            {
                try
                {
                    await ready.ConfigureAwait(false);
                    return;
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (OperationCanceledException)
                {
                    throw new SkeinException($"only {coordinator.Membership.AliveCount} of {count} nodes joined within {StartTimeout.TotalSeconds:0} s");
                }
            }
            var index = exits.IndexOf((Task)done);
            if (done.IsCompletedSuccessfully)
                throw new SkeinException($"node-{index + 1} exited with code {children[index].ExitCode} before joining");
            exits[index] = Task.Delay(Timeout.Infinite, timeout.Token);
        }
    }

    private static Process StartNode(string address, string name, string tokenPath, string stateDirectory, string[] modules, string[] isolated, TextWriter error)
    {
        var (file, prefix) = SelfCommand();
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in prefix) start.ArgumentList.Add(arg);
        foreach (var arg in (string[])["node", "--join", address, "--name", name, "--token-file", tokenPath, "--state", stateDirectory, "--stop-with-parent"])
            start.ArgumentList.Add(arg);
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
        // A local cluster loads modules at run time ('skein module load') from the directory it was started in.
        start.ArgumentList.Add("--module-dir");
        start.ArgumentList.Add(Environment.CurrentDirectory);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        void Forward(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (error) error.WriteLine($"[{name}] {e.Data}");
        }
        process.OutputDataReceived += Forward;
        process.ErrorDataReceived += Forward;
        process.Start(); // its standard input stays open while this process lives: see --stop-with-parent
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>How to start this same skein again: its apphost, or dotnet with its dll when run that way.</summary>
    private static (string File, string[] Prefix) SelfCommand()
    {
        var processPath = Environment.ProcessPath ?? throw new SkeinException("cannot tell which executable is running; start nodes with 'skein node'");
        var name = Path.GetFileNameWithoutExtension(processPath);
        if (!name.Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return (processPath, []);
        var dll = Assembly.GetEntryAssembly()?.Location;
        if (string.IsNullOrEmpty(dll)) dll = Path.Combine(AppContext.BaseDirectory, "skein.dll");
        return (processPath, [dll]);
    }

    /// <summary>Asks every child to leave (SIGTERM), waits a grace period, then kills the ones still there.</summary>
    private static async Task StopAllAsync(List<Process> children)
    {
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
