using System.Reflection;
using Microsoft.Extensions.Logging;
using Skein.Cluster.Client;
using Skein.Modules;

namespace Skein.Cluster.Tests;

/// <summary>
/// Every log message of Skein.Cluster and Skein.Modules has a stable event id, unique, in the range docs/logging.md gives its area, so
/// that a filter or an alert on an id keeps working when a message's text changes.
/// </summary>
public sealed class LogEventIdTests
{
    // Area by namespace (the longest prefix wins), as docs/logging.md lists them.
    private static readonly (string Namespace, int From, int To)[] Ranges =
    [
        ("Skein.Cluster", 1000, 1999),
        ("Skein.Cluster.Membership", 1000, 1999),
        ("Skein.Cluster.Services", 2000, 2999),
        ("Skein.Modules", 3000, 3999),
        ("Skein.Cluster.Events", 4000, 4999),
    ];

    // Classes outside those namespaces whose messages belong to another area.
    private static readonly Dictionary<string, (int From, int To)> ByType = new(StringComparer.Ordinal)
    {
        ["Skein.Cluster.Client.ServiceDirectory"] = (2000, 2999), // the client's view of where services are: RPC
        ["Skein.Cluster.Endpoints.CallsEndpoint"] = (2000, 2999), // a node's call streams: RPC
    };

    [Fact]
    public void Every_log_message_has_a_unique_event_id_in_its_areas_range()
    {
        var messages = new[] { typeof(SkeinClient).Assembly, typeof(ModuleLoaders).Assembly }.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .ToList();

        Assert.NotEmpty(messages);
        foreach (var (method, attribute) in messages)
        {
            var type = method.DeclaringType!;
            var name = $"{type.FullName}.{method.Name}";
            Assert.True(attribute!.EventId > 0, $"{name} has no event id");
            var (from, to) = ByType.TryGetValue(type.FullName!, out var range)
                ? range
                : Ranges.Where(r => type.Namespace == r.Namespace || type.Namespace!.StartsWith(r.Namespace + ".", StringComparison.Ordinal))
                    .OrderByDescending(r => r.Namespace.Length).Select(r => (r.From, r.To)).First();
            Assert.True(attribute.EventId >= from && attribute.EventId <= to, $"{name} has event id {attribute.EventId}, outside its area's {from}–{to}");
        }
        var duplicates = messages.GroupBy(x => x.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => $"{x.Method.DeclaringType!.Name}.{x.Method.Name}"))}").ToList();
        Assert.True(duplicates.Count == 0, $"event ids used twice: {string.Join("; ", duplicates)}");
    }
}
