using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Skein.Cluster;
using Skein.Cluster.Client;
using Skein.Cluster.Membership;

namespace Skein.Cli.Commands;

/// <summary><c>skein nodes</c>: the cluster's nodes as a table.</summary>
internal static class NodesCommand
{
    public static Command Create()
    {
        var cluster = ClusterConnection.ClusterOption();
        var tokenFile = ClusterConnection.TokenFileOption();
        var state = CommonOptions.State();
        var command = new Command("nodes", "List the cluster's nodes: name, address, state, resources, labels, services, last heartbeat.") { cluster, tokenFile, state };
        var format = ListFormat.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var json = format.IsJson(parse);
            var stateDirectory = parse.GetValue(state)!;
            var address = ClusterConnection.ResolveAddress(parse.GetValue(cluster), stateDirectory);
            var token = ClusterConnection.ResolveToken(parse.GetValue(tokenFile), stateDirectory);
            using var client = new ClusterClient(address, token);
            var nodes = await client.ListNodesAsync(ct).ConfigureAwait(false);
            if (json) ListFormat.Write(parse.InvocationConfiguration.Output, writer => WriteJson(writer, nodes));
            else Print(nodes, TimeProvider.System.GetUtcNow(), parse.InvocationConfiguration.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    internal static void Print(IReadOnlyList<NodeDescription> nodes, DateTimeOffset now, TextWriter output)
    {
        if (nodes.Count == 0)
        {
            output.WriteLine("no nodes have joined");
            return;
        }
        string[] header = ["NAME", "ADDRESS", "STATE", "CORES", "SLOTS", "MEMORY", "LABELS", "SERVICES", "LAST HEARTBEAT"];
        var rows = new List<string[]> { header };
        foreach (var node in nodes)
        {
            var labels = string.Join(',', node.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
            var age = now - node.LastHeartbeat;
            rows.Add([
                node.Name,
                node.Address,
                node.State.ToString().ToLowerInvariant(),
                node.Cores.ToString(CultureInfo.InvariantCulture),
                node.Slots.ToString(CultureInfo.InvariantCulture),
                Memory(node.MemoryBytes),
                labels.Length > 0 ? labels : "-",
                node.Services.Count > 0 ? string.Join(',', node.Services) : "-",
                string.Create(CultureInfo.InvariantCulture, $"{Math.Max(age.TotalSeconds, 0):0.0} s ago"),
            ]);
        }
        TextTable.Write(rows, output);
    }

    /// <summary><c>{"nodes": [{"name", "id", "host", "address", "callAddress", "state", "cores", "slots", "memoryBytes", "labels": {}, "services": [], "joined", "lastHeartbeat", "pid"}]}</c>.</summary>
    internal static void WriteJson(Utf8JsonWriter json, IReadOnlyList<NodeDescription> nodes)
    {
        json.WriteStartObject();
        json.WriteStartArray("nodes");
        foreach (var node in nodes)
        {
            json.WriteStartObject();
            ListFormat.String(json, "name", node.Name);
            ListFormat.String(json, "id", node.NodeId);
            ListFormat.String(json, "host", node.Hostname);
            ListFormat.String(json, "address", node.Address);
            ListFormat.String(json, "callAddress", node.CallAddress);
            json.WriteString("state", node.State.ToString().ToLowerInvariant());
            json.WriteNumber("cores", node.Cores);
            json.WriteNumber("slots", node.Slots);
            json.WriteNumber("memoryBytes", node.MemoryBytes);
            ListFormat.Map(json, "labels", node.Labels);
            ListFormat.Strings(json, "services", node.Services);
            json.WriteString("joined", node.Joined);
            json.WriteString("lastHeartbeat", node.LastHeartbeat);
            json.WriteNumber("pid", node.ProcessId);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string Memory(long bytes) => bytes switch
    {
        <= 0 => "-",
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0} MiB"),
    };
}
