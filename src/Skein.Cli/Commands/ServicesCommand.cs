using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Skein.Cluster;
using Skein.Cluster.Services;
using Skein.Cluster.Client;
using Skein.Cluster.Membership;

namespace Skein.Cli.Commands;

/// <summary><c>skein services</c>: the services alive nodes host, as a table.</summary>
internal static class ServicesCommand
{
    public static Command Create()
    {
        var cluster = ClusterConnection.ClusterOption();
        var tokenFile = ClusterConnection.TokenFileOption();
        var state = CommonOptions.State();
        var command = new Command("services", "List the services hosted by alive nodes: mode, capacity, nodes, methods.") { cluster, tokenFile, state };
        var format = ListFormat.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var json = format.IsJson(parse);
            var stateDirectory = parse.GetValue(state)!;
            var address = ClusterConnection.ResolveAddress(parse.GetValue(cluster), stateDirectory);
            var token = ClusterConnection.ResolveToken(parse.GetValue(tokenFile), stateDirectory);
            using var client = new ClusterClient(address, token);
            var services = await client.ListServicesAsync(ct).ConfigureAwait(false);
            if (json) ListFormat.Write(parse.InvocationConfiguration.Output, writer => WriteJson(writer, services));
            else Print(services, parse.InvocationConfiguration.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    internal static void Print(IReadOnlyList<ListedService> services, TextWriter output)
    {
        if (services.Count == 0)
        {
            output.WriteLine("no services: no alive node hosts one");
            return;
        }
        var rows = new List<string[]> { new[] { "SERVICE", "MODE", "CAPACITY", "NODES", "METHODS" } };
        foreach (var service in services)
        {
            var hosts = service.Hosts;
            rows.Add([
                service.Name,
                PerHost(hosts, h => Mode(h.Info.Mode)),
                PerHost(hosts, h => h.Info.Capacity > 0 ? h.Info.Capacity.ToString(CultureInfo.InvariantCulture) : "unlimited"),
                string.Join(',', hosts.Select(h => h.NodeName)),
                // Nodes normally run the same build of a module; the first host's methods stand for the service.
                hosts.Count > 0 && hosts[0].Info.Methods.Count > 0 ? string.Join(", ", hosts[0].Info.Methods.Select(Signature)) : "-",
            ]);
        }
        TextTable.Write(rows, output);
    }

    /// <summary>
    /// <c>{"services": [{"name", "hosts": [{"node", "address", "mode", "capacity", "contract", "methods": [{"name",
    /// "parameters": [], "result", "streaming"}]}]}]}</c>; each host as it describes the service (capacity 0: unlimited).
    /// </summary>
    internal static void WriteJson(Utf8JsonWriter json, IReadOnlyList<ListedService> services)
    {
        json.WriteStartObject();
        json.WriteStartArray("services");
        foreach (var service in services)
        {
            json.WriteStartObject();
            ListFormat.String(json, "name", service.Name);
            json.WriteStartArray("hosts");
            foreach (var host in service.Hosts)
            {
                json.WriteStartObject();
                ListFormat.String(json, "node", host.NodeName);
                ListFormat.String(json, "address", host.Address);
                json.WriteString("mode", Mode(host.Info.Mode));
                json.WriteNumber("capacity", host.Info.Capacity);
                ListFormat.String(json, "contract", host.Info.Contract);
                json.WriteStartArray("methods");
                foreach (var method in host.Info.Methods)
                {
                    json.WriteStartObject();
                    ListFormat.String(json, "name", method.Name);
                    ListFormat.Strings(json, "parameters", method.Parameters);
                    ListFormat.String(json, "result", method.Result);
                    json.WriteBoolean("streaming", method.Streaming);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary><c>Echo(String) → String</c>; a streaming method reads <c>Ticks(Int32) → stream Int64</c>.</summary>
    internal static string Signature(ServiceMethodDescription method)
    {
        var call = $"{method.Name}({string.Join(", ", method.Parameters)})";
        if (method.Streaming) return $"{call} → stream {method.Result}";
        return method.Result.Length > 0 ? $"{call} → {method.Result}" : call;
    }

    // One value when the hosts agree; otherwise each host's, in the order of the NODES column.
    private static string PerHost(IReadOnlyList<ServiceLocation> hosts, Func<ServiceLocation, string> value)
    {
        var values = hosts.Select(value).ToList();
        if (values.Count == 0) return "-";
        return values.Distinct(StringComparer.Ordinal).Count() == 1 ? values[0] : string.Join(',', values);
    }

    private static string Mode(InstanceMode mode) => mode switch
    {
        InstanceMode.Singleton => "singleton",
        InstanceMode.Pooled => "pooled",
        _ => "per-connection",
    };
}
