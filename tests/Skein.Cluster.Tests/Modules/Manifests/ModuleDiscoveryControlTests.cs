using System.Text;
using System.Text.Json;
using Skein.Modules;
using Skein.Cluster.NodeControl;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Client;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using Skein.Cluster.Services;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;

namespace Skein.Cluster.Tests.Modules.Manifests;

/// <summary>
/// Discovery through a node's module control: ListAvailable, a load by bare name resolved on the node, and the
/// example stats module's module.yaml config reaching the Python module, merged with the caller's.
/// </summary>
public sealed class ModuleDiscoveryControlTests : IAsyncLifetime
{
    private const string Token = "test-token-discovery";
    private NodeHost _node = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ExampleModules => Path.Combine(ModuleProcess.RepositoryRoot(), "examples", "modules");

    public async ValueTask InitializeAsync() =>
        _node = await NodeHost.StartAsync(new ServiceHost("node-d"), Token, cancellationToken: Ct, modulePaths: new ModulePaths([ExampleModules], allowAnyPath: false));

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    private ModuleControl Control() => new("node-d", $"127.0.0.1:{_node.Address.Port}", Token);

    [Fact]
    public async Task ListAvailable_shows_the_example_stats_module_from_its_module_yaml()
    {
        using var control = Control();

        var reply = await control.ListAvailableAsync(Ct);

        Assert.Equal([ExampleModules], reply.Directories);
        var stats = Assert.Single(reply.Modules, m => m.Name == "stats");
        Assert.Equal(("process", Path.Combine(ExampleModules, "stats"), Path.Combine(ExampleModules, "stats", "stats.py"), ""),
            (stats.Loader, stats.Path, stats.Entry, stats.Problem ?? ""));
        Assert.Equal(["stats"], stats.Services);
        Assert.False(string.IsNullOrEmpty(stats.Description));
    }

    [Fact]
    public async Task A_bare_name_loads_the_module_found_on_the_node_with_its_manifest_config_under_the_callers()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        using var control = Control();

        var loaded = await control.LoadAsync(new RemoteModuleLoad { Path = "stats", ConfigJson = """{"stdev":"population"}""" }, TestPatience.Ceiling, Ct);

        Assert.Equal(("stats", "process", "active"), (loaded.Name, loaded.Loader, loaded.State));
        Assert.Equal(Path.Combine(ExampleModules, "stats", "stats.py"), loaded.Path);
        var request = _node.Services.RequestOf("stats")!;
        Assert.Equal(Skein.Modules.Lifecycle.RestartMode.Permanent, request.Supervision!.Restart.Mode);
        // The population standard deviation of 1, 2, 3, 4 is √1.25; the sample one, the manifest's default, would be √(5/3).
        var describe = JsonDocument.Parse(await CallAsync("stats", "Describe", "[[1,2,3,4]]"));
        Assert.Equal(Math.Sqrt(1.25), describe.RootElement.GetProperty("stdev").GetDouble(), 9);
    }

    [Fact]
    public async Task An_unknown_name_is_refused_naming_the_directories_and_what_they_hold()
    {
        using var control = Control();

        var error = await Assert.ThrowsAsync<SkeinException>(() => control.LoadAsync("nothing", null, null, TestPatience.Ceiling, Ct));

        Assert.Contains($"no module named 'nothing' is available: searched {ExampleModules}; available: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("stats", error.Message.Split("available: ")[^1], StringComparison.Ordinal);
        Assert.Empty(await control.ListAsync(Ct));
    }

    private async Task<string> CallAsync(string service, string method, string arguments)
    {
        var routes = new StaticRoutes(_node.Services.Describe().Select(s => new ServiceLocation("n-1", "node-d", $"127.0.0.1:{_node.Address.Port}", s)));
        await using var client = new SkeinClient(routes, Token, new SkeinClientOptions(), null);
        return await TestModules.CallJsonAsync(client, service, method, arguments, Ct);
    }
}
