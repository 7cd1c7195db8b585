using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Skein.Cluster;
using Skein.Modules;
using Skein.Modules.Discovery;
using Skein.Cluster.NodeControl;
using Skein.Cluster.Client;
using Skein.Cluster.Membership;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein module load|unload|list</c>: the modules of a running cluster's nodes, changed at run time through each
/// node's module control (behind the cluster token; a node loads only from its module directories unless allowed).
/// </summary>
internal static class ModuleCommand
{
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(60);

    public static Command Create()
    {
        var command = new Command("module", "Load, unload and list the modules of the cluster's nodes.") { Load(), Unload(), Reload(), List() };
        return command;
    }

    private static Command Load()
    {
        var path = new Argument<string>("PATH|NAME")
        {
            Description = "The module: a .NET assembly, a .py script, an executable, or a folder with a module.yaml or a file named after it " +
                "(a path on the node's machine); or the name of a module in the node's module directories ('skein module list --available').",
        };
        var node = NodeOption("The node to load it on (default: the first alive node by name).");
        var name = new Option<string?>("--name") { Description = "Its name on the node (default: the file name without its extension).", HelpName = "ALIAS" };
        var loader = new Option<string?>("--loader") { Description = "assembly, process or isolated, instead of what the file suggests.", HelpName = "NAME" };
        var isolated = new Option<bool>("--isolated") { Description = "Run a .NET assembly in a module host process of its own (--loader isolated): a crash takes only the host down." };
        var (cluster, tokenFile, state) = (ClusterConnection.ClusterOption(), ClusterConnection.TokenFileOption(), CommonOptions.State());
        var command = new Command("load", "Load a module on a node; returns once it is active and its services are registered.") { path, node, name, loader, isolated, cluster, tokenFile, state };
        command.SetAction(async (parse, ct) =>
        {
            // Checked here as the node checks them, so a bad value is refused before any connection is made.
            Check(ModuleRequestRules.PathProblem(parse.GetValue(path)!));
            if (parse.GetValue(name) is { } alias) Check(ModuleRequestRules.NameProblem(alias));
            var chosen = parse.GetValue(loader);
            if (parse.GetValue(isolated))
            {
                if (chosen is not null && chosen != ModuleFormats.Isolated) throw new SkeinException($"--isolated and --loader {chosen} contradict each other; give one");
                chosen = ModuleFormats.Isolated;
            }
            var (target, token) = await PickNodeAsync(parse.GetValue(cluster), parse.GetValue(tokenFile), parse.GetValue(state)!, parse.GetValue(node), ct).ConfigureAwait(false);
            using var control = new ModuleControl(target.Name, target.CallAddress, token);
            var module = await control.LoadAsync(PathOrName(parse.GetValue(path)!), parse.GetValue(name), chosen, LoadTimeout, ct).ConfigureAwait(false);
            parse.InvocationConfiguration.Output.WriteLine(
                $"module {module.Name} ({module.Loader}) is {module.State} on node {module.Node}, hosting {string.Join(", ", module.Services)}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Unload()
    {
        var name = new Argument<string>("NAME") { Description = "The module's name, as 'skein module list' shows it." };
        var node = NodeOption("The node to unload it from (default: every node that has it).");
        var (cluster, tokenFile, state) = (ClusterConnection.ClusterOption(), ClusterConnection.TokenFileOption(), CommonOptions.State());
        var command = new Command("unload", "Stop a module and withdraw its services.") { name, node, cluster, tokenFile, state };
        command.SetAction(async (parse, ct) =>
        {
            var moduleName = parse.GetValue(name)!;
            Check(ModuleRequestRules.NameProblem(moduleName));
            await OnEveryNodeWithAsync(parse.GetValue(cluster), parse.GetValue(tokenFile), parse.GetValue(state)!, parse.GetValue(node), moduleName, async (control, ct) =>
            {
                await control.UnloadAsync(moduleName, LoadTimeout, ct).ConfigureAwait(false);
                return $"module {moduleName} unloaded from node {control.Node}";
            }, parse.InvocationConfiguration.Output, ct).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Reload()
    {
        var name = new Argument<string>("NAME") { Description = "The module's name, as 'skein module list' shows it." };
        var node = NodeOption("The node to reload it on (default: every node that has it).");
        var (cluster, tokenFile, state) = (ClusterConnection.ClusterOption(), ClusterConnection.TokenFileOption(), CommonOptions.State());
        var command = new Command("reload", "Unload a module and load its file again (a debugging aid: nodes allow it only with --allow-reload).")
        {
            name, node, cluster, tokenFile, state,
        };
        command.SetAction(async (parse, ct) =>
        {
            var moduleName = parse.GetValue(name)!;
            Check(ModuleRequestRules.NameProblem(moduleName));
            await OnEveryNodeWithAsync(parse.GetValue(cluster), parse.GetValue(tokenFile), parse.GetValue(state)!, parse.GetValue(node), moduleName, async (control, ct) =>
            {
                var module = await control.ReloadAsync(moduleName, LoadTimeout, ct).ConfigureAwait(false);
                return $"module {module.Name} reloaded on node {control.Node} ({module.Sha256[..12]}), {module.State}";
            }, parse.InvocationConfiguration.Output, ct).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var node = NodeOption("Only this node's modules.");
        var available = new Option<bool>("--available")
        {
            Description = "List the modules each node could load by name from its module directories (and SKEIN_MODULE_PATH), broken ones with their problem.",
        };
        var (cluster, tokenFile, state) = (ClusterConnection.ClusterOption(), ClusterConnection.TokenFileOption(), CommonOptions.State());
        var command = new Command("list", "The modules of every alive node: name, loader, state, restarts, services, size, digest, how the last run ended.") { node, available, cluster, tokenFile, state };
        var format = ListFormat.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var json = format.IsJson(parse);
            var (nodes, token) = await AliveNodesAsync(parse.GetValue(cluster), parse.GetValue(tokenFile), parse.GetValue(state)!, parse.GetValue(node), ct).ConfigureAwait(false);
            if (parse.GetValue(available))
            {
                await ListAvailableAsync(nodes, token, json, parse.InvocationConfiguration.Output, ct).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            var rows = new List<string[]> { new[] { "NODE", "MODULE", "LOADER", "STATE", "RESTARTS", "SERVICES", "SIZE", "SHA-256", "LAST EXIT" } };
            var listed = new List<ModuleInfo>();
            foreach (var target in nodes)
            {
                using var control = new ModuleControl(target.Name, target.CallAddress, token);
                foreach (var module in await control.ListAsync(ct).ConfigureAwait(false))
                {
                    listed.Add(module.Node.Length > 0 ? module : module with { Node = target.Name });
                    rows.Add([target.Name, module.Name, module.Loader, module.State, module.Restarts.ToString(CultureInfo.InvariantCulture),
                        string.Join(',', module.Services), Size(module.Size), module.Sha256.Length > 12 ? module.Sha256[..12] : module.Sha256,
                        LastExit(module.LastExit)]);
                }
            }
            if (json) ListFormat.Write(parse.InvocationConfiguration.Output, writer => WriteModulesJson(writer, listed));
            else if (rows.Count == 1) parse.InvocationConfiguration.Output.WriteLine("no modules are loaded");
            else TextTable.Write(rows, parse.InvocationConfiguration.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>One table of what every node could load by name; a node with nothing to offer says where it looked.</summary>
    private static async Task ListAvailableAsync(IReadOnlyList<NodeDescription> nodes, string token, bool json, TextWriter output, CancellationToken ct)
    {
        var rows = new List<string[]> { new[] { "NODE", "MODULE", "LOADER", "PATH", "SERVICES", "PROBLEM" } };
        var empty = new List<string>();
        var replies = new List<(string Node, AvailableModules Reply)>();
        foreach (var target in nodes)
        {
            using var control = new ModuleControl(target.Name, target.CallAddress, token);
            var reply = await control.ListAvailableAsync(ct).ConfigureAwait(false);
            replies.Add((target.Name, reply));
            foreach (var module in reply.Modules)
            {
                // A broken manifest may have several problems, one per line; a table row holds them side by side, each
                // shown relative to the module's folder, which the PATH column already names.
                var problem = string.Join("; ", (module.Problem ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    .Replace(module.Path + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);
                rows.Add([target.Name, module.Name, module.Loader.Length > 0 ? module.Loader : "-", module.Path,
                    module.Services.Count > 0 ? string.Join(',', module.Services) : "-", problem.Length > 0 ? problem : "-"]);
            }
            if (reply.Modules.Count == 0)
            {
                empty.Add(reply.Directories.Count == 0
                    ? $"node {target.Name} has no module directories (--module-dir DIR, SKEIN_MODULE_PATH)"
                    : $"node {target.Name} has no modules in {string.Join(", ", reply.Directories)}");
            }
        }
        if (json)
        {
            ListFormat.Write(output, writer => WriteAvailableJson(writer, replies));
            return;
        }
        if (rows.Count > 1) TextTable.Write(rows, output);
        foreach (var line in empty) output.WriteLine(line);
        if (nodes.Count == 0) output.WriteLine("no node is alive");
    }

    /// <summary>
    /// <c>{"modules": [{"node", "name", "loader", "state", "restarts", "services": [], "sizeBytes", "sha256", "lastExit",
    /// "path", "app"}]}</c>: the whole digest and last exit (the table cuts both); empty strings where a node said nothing.
    /// </summary>
    private static void WriteModulesJson(Utf8JsonWriter json, IReadOnlyList<ModuleInfo> modules)
    {
        json.WriteStartObject();
        json.WriteStartArray("modules");
        foreach (var module in modules)
        {
            json.WriteStartObject();
            ListFormat.String(json, "node", module.Node);
            ListFormat.String(json, "name", module.Name);
            ListFormat.String(json, "loader", module.Loader);
            ListFormat.String(json, "state", module.State);
            json.WriteNumber("restarts", module.Restarts);
            ListFormat.Strings(json, "services", module.Services);
            json.WriteNumber("sizeBytes", module.Size);
            ListFormat.String(json, "sha256", module.Sha256);
            ListFormat.String(json, "lastExit", module.LastExit);
            ListFormat.String(json, "path", module.Path);
            ListFormat.String(json, "app", module.App);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// <c>{"nodes": [{"node", "directories": [], "modules": [{"name", "loader", "path", "services": [], "description",
    /// "problem"}]}]}</c>: per node, where it looked and what it found (a broken module with its problem, else null).
    /// </summary>
    private static void WriteAvailableJson(Utf8JsonWriter json, IReadOnlyList<(string Node, AvailableModules Reply)> replies)
    {
        json.WriteStartObject();
        json.WriteStartArray("nodes");
        foreach (var (node, reply) in replies)
        {
            json.WriteStartObject();
            ListFormat.String(json, "node", node);
            ListFormat.Strings(json, "directories", reply.Directories);
            json.WriteStartArray("modules");
            foreach (var module in reply.Modules)
            {
                json.WriteStartObject();
                ListFormat.String(json, "name", module.Name);
                ListFormat.String(json, "loader", module.Loader);
                ListFormat.String(json, "path", module.Path);
                ListFormat.Strings(json, "services", module.Services);
                ListFormat.String(json, "description", module.Description);
                ListFormat.String(json, "problem", module.Problem);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// What to send the node: a path that exists here as a full path; a bare name (<c>stats</c>) as it is, for the node
    /// to find in its module directories; any other path as a full path, which must exist on the node's machine.
    /// </summary>
    private static string PathOrName(string given) =>
        File.Exists(given) || Directory.Exists(given) || !ModuleCatalog.IsName(given) ? Path.GetFullPath(given) : given;

    // One line of the table: a process's stderr tail is for the node's log and the state events, not for this.
    private static string LastExit(string lastExit) =>
        lastExit.Length == 0 ? "-" : lastExit.Split('\n', 2)[0].Split("; stderr:", 2)[0];

    /// <summary>Runs <paramref name="action"/> on every alive node (or the one named) that has the module; none is an error.</summary>
    private static async Task OnEveryNodeWithAsync(string? cluster, string? tokenFile, string stateDirectory, string? only, string moduleName,
        Func<ModuleControl, CancellationToken, Task<string>> action, TextWriter output, CancellationToken ct)
    {
        var (nodes, token) = await AliveNodesAsync(cluster, tokenFile, stateDirectory, only, ct).ConfigureAwait(false);
        var done = 0;
        foreach (var target in nodes)
        {
            using var control = new ModuleControl(target.Name, target.CallAddress, token);
            if (!(await control.ListAsync(ct).ConfigureAwait(false)).Any(m => m.Name == moduleName)) continue;
            output.WriteLine(await action(control, ct).ConfigureAwait(false));
            done++;
        }
        if (done == 0) throw new SkeinException($"no module named '{moduleName}' is loaded on {(nodes.Count == 1 ? $"node {nodes[0].Name}" : "any alive node")}");
    }

    private static void Check(string? problem)
    {
        if (problem is not null) throw new SkeinException(problem);
    }

    private static Option<string?> NodeOption(string description) => new("--node") { Description = description, HelpName = "NAME" };

    private static async Task<(IReadOnlyList<NodeDescription> Nodes, string Token)> AliveNodesAsync(string? cluster, string? tokenFile, string stateDirectory, string? only,
        CancellationToken ct)
    {
        var address = ClusterConnection.ResolveAddress(cluster, stateDirectory);
        var token = ClusterConnection.ResolveToken(tokenFile, stateDirectory);
        using var client = new ClusterClient(address, token);
        var alive = await client.ListCallableNodesAsync(ct).ConfigureAwait(false);
        return only is null ? (alive, token) : ([ClusterClient.FindAlive(alive, only)], token);
    }

    private static async Task<(NodeDescription Node, string Token)> PickNodeAsync(string? cluster, string? tokenFile, string stateDirectory, string? only, CancellationToken ct)
    {
        var (nodes, token) = await AliveNodesAsync(cluster, tokenFile, stateDirectory, only, ct).ConfigureAwait(false);
        if (nodes.Count == 0) throw new SkeinException("no node is alive to load the module on; start one with 'skein node' or 'skein up'");
        return (nodes[0], token);
    }

    private static string Size(long bytes) => bytes >= 1 << 20
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1 << 20):0.0} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB");
}
