using System.CommandLine;
using System.Globalization;
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
        command.SetAction(async (parse, ct) =>
        {
            var stateDirectory = parse.GetValue(state)!;
            var address = ClusterConnection.ResolveAddress(parse.GetValue(cluster), stateDirectory);
            var token = ClusterConnection.ResolveToken(parse.GetValue(tokenFile), stateDirectory);
            using var client = new ClusterClient(address, token);
            var nodes = await client.ListNodesAsync(ct).ConfigureAwait(false);
            Print(nodes, TimeProvider.System.GetUtcNow(), parse.InvocationConfiguration.Output);
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

    private static string Memory(long bytes) => bytes switch
    {
        <= 0 => "-",
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0} MiB"),
    };
}
