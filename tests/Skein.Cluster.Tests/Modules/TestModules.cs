using System.Text;
using Skein.Cluster.Client;

namespace Skein.Cluster.Tests.Modules;

/// <summary>The test modules the build copies beside the tests (tests/Modules), and a JSON call helper.</summary>
internal static class TestModules
{
    /// <summary>The greeter module built against Shared.Lib 1.0.0.0.</summary>
    public static string GreeterV1 => Locate("greeter-v1", "Greeter.V1.dll");

    /// <summary>The same greeter built against Shared.Lib 2.0.0.0.</summary>
    public static string GreeterV2 => Locate("greeter-v2", "Greeter.V2.dll");

    /// <summary>A module whose methods can end its process (FailFast, Exit), for running isolated.</summary>
    public static string Crasher => Locate("crasher", "Crasher.dll");

    /// <summary>A module with lifecycle hooks whose behaviour its config drives (tests/Modules/Hooked).</summary>
    public static string Hooked => Locate("hooked", "Hooked.dll");

    /// <summary>A module with two hooks classes, which a load must refuse (tests/Modules/TwoHooks).</summary>
    public static string TwoHooks => Locate("two-hooks", "TwoHooks.dll");

    /// <summary>Entries for C# code shipped to nodes (tests/Modules/ShippedEntries), not a module.</summary>
    public static string ShippedEntries => Locate("shipped-entries", "ShippedEntries.dll");

    private static string Locate(string folder, string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "modules", folder, file);
        if (!File.Exists(path)) throw new FileNotFoundException($"test module {path} is missing: the test project's build copies it there", path);
        return path;
    }

    /// <summary>Calls a method with JSON arguments and returns the JSON of its single result.</summary>
    public static async Task<string> CallJsonAsync(SkeinClient client, string service, string method, string arguments, CancellationToken cancellationToken)
    {
        string? result = null;
        await foreach (var json in client.CallJsonAsync(service, method, Encoding.UTF8.GetBytes(arguments), cancellationToken))
            result = Encoding.UTF8.GetString(json.Span);
        return result ?? throw new InvalidOperationException($"{service}.{method} returned nothing");
    }
}
