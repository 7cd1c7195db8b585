using System.Text.Json;

namespace Skein.Cli.Tests;

/// <summary>The cluster's listings — nodes, services, modules (loaded and available), apps — as JSON, on a coordinator and two nodes.</summary>
[Collection(ServiceClusterTests.Collection)]
public sealed class ListingJsonClusterTests(AppCluster cluster) : IClassFixture<AppCluster>
{
    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Nodes_services_modules_and_apps_print_json_with_a_stable_shape()
    {
        using var apps = new TempDirectory();
        cluster.WriteModule(apps, "listed/listed_svc.py", "listed-svc");
        apps.Write("listed/app.yaml", """
            name: listed
            modules:
              - path: listed_svc.py
                name: listed-svc
                node: beta
            """);
        var start = await cluster.RunAsync("app", "start", "listed", "--app-dir", apps.Path);
        Assert.True(start.ExitCode == 0, start.ToString());
        try
        {
            var nodes = await JsonOf("nodes", "--json");
            var names = nodes.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("name").GetString()).Order().ToList();
            Assert.Equal(["alpha", "beta"], names);
            var beta = nodes.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("name").GetString() == "beta");
            Assert.Equal("alive", beta.GetProperty("state").GetString());
            Assert.True(beta.GetProperty("slots").GetInt32() > 0);
            Assert.Contains("listed-svc", beta.GetProperty("services").EnumerateArray().Select(s => s.GetString()));

            var services = await JsonOf("services", "--format", "json");
            var service = Assert.Single(services.GetProperty("services").EnumerateArray(), s => s.GetProperty("name").GetString() == "listed-svc");
            var host = Assert.Single(service.GetProperty("hosts").EnumerateArray());
            Assert.Equal("beta", host.GetProperty("node").GetString());
            Assert.Equal("singleton", host.GetProperty("mode").GetString());
            Assert.Contains("Config", host.GetProperty("methods").EnumerateArray().Select(m => m.GetProperty("name").GetString()));

            var modules = await JsonOf("module", "list", "--json");
            var module = Assert.Single(modules.GetProperty("modules").EnumerateArray(), m => m.GetProperty("name").GetString() == "listed-svc");
            Assert.Equal("beta", module.GetProperty("node").GetString());
            Assert.Equal("listed", module.GetProperty("app").GetString());
            Assert.Equal(64, module.GetProperty("sha256").GetString()!.Length); // whole, where the table shows 12

            var available = await JsonOf("module", "list", "--available", "--json");
            Assert.Equal(2, available.GetProperty("nodes").GetArrayLength());
            Assert.All(available.GetProperty("nodes").EnumerateArray(), n => Assert.Equal(JsonValueKind.Array, n.GetProperty("modules").ValueKind));

            var list = await JsonOf("app", "list", "--app-dir", apps.Path, "--json");
            var app = Assert.Single(list.GetProperty("apps").EnumerateArray());
            Assert.Equal("listed", app.GetProperty("name").GetString());
            Assert.Equal("running", app.GetProperty("state").GetString());
            Assert.Equal(["beta"], app.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()));
            Assert.Equal(0, app.GetProperty("dependsOn").GetArrayLength());
        }
        finally
        {
            await cluster.RunAsync("app", "stop", "listed", "--app-dir", apps.Path);
        }
    }

    private async Task<JsonElement> JsonOf(params string[] args)
    {
        var result = await cluster.RunAsync(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        return json.RootElement.Clone();
    }
}
