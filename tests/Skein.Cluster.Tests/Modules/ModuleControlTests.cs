using Skein.Modules;
using Skein.Cluster.NodeControl;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;

namespace Skein.Cluster.Tests.Modules;

/// <summary>A node's module control over its real call endpoint: load, list, unload, and the path allowlist.</summary>
public sealed class ModuleControlTests : IAsyncLifetime
{
    private const string Token = "test-token-module-control";
    private NodeHost _node = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Examples => Path.Combine(ModuleProcess.RepositoryRoot(), "examples");

    public async ValueTask InitializeAsync() =>
        _node = await NodeHost.StartAsync(new ServiceHost("node-m"), Token, cancellationToken: Ct, modulePaths: new ModulePaths([Examples], allowAnyPath: false));

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    private ModuleControl Control(string token = Token) => new("node-m", $"127.0.0.1:{_node.Address.Port}", token);

    [Fact]
    public async Task A_module_is_loaded_listed_and_unloaded_at_run_time_and_the_host_follows()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        using var control = Control();
        var changes = 0;
        _node.Services.ServicesChanged += () => Interlocked.Increment(ref changes);

        var loaded = await control.LoadAsync(Path.Combine(Examples, "modules", "stats", "stats.py"), "stats-a", null, TestPatience.Ceiling, Ct);

        Assert.Equal("stats-a", loaded.Name);
        Assert.Equal("process", loaded.Loader);
        Assert.Equal("active", loaded.State);
        Assert.Equal(["stats"], loaded.Services);
        Assert.Equal(64, loaded.Sha256.Length);
        var listed = Assert.Single(await control.ListAsync(Ct));
        Assert.Equal("stats-a", listed.Name);
        Assert.Equal(["stats"], _node.Services.ServiceNames);

        await control.UnloadAsync("stats-a", TestPatience.Ceiling, Ct);

        Assert.Empty(await control.ListAsync(Ct));
        Assert.Empty(_node.Services.ServiceNames);
        Assert.Equal(2, changes); // the node tells the registry both times
    }

    [Fact]
    public async Task A_path_outside_the_module_directories_is_refused_naming_them()
    {
        using var control = Control();

        var error = await Assert.ThrowsAsync<SkeinException>(() => control.LoadAsync("/etc/passwd", null, null, TestPatience.Ceiling, Ct));

        Assert.Contains("refuses to load /etc/passwd", error.Message, StringComparison.Ordinal);
        Assert.Contains(Examples, error.Message, StringComparison.Ordinal);
        var sneaky = await Assert.ThrowsAsync<SkeinException>(() => control.LoadAsync(Path.Combine(Examples, "..", "README.md"), null, null, TestPatience.Ceiling, Ct));
        Assert.Contains("refuses to load", sneaky.Message, StringComparison.Ordinal);
        Assert.Empty(await control.ListAsync(Ct));
    }

    [Fact]
    public async Task Unknown_modules_and_a_wrong_token_are_clear_errors()
    {
        using var control = Control();
        var unknown = await Assert.ThrowsAsync<SkeinException>(() => control.UnloadAsync("nothing", TestPatience.Ceiling, Ct));
        Assert.Contains("no module named 'nothing'", unknown.Message, StringComparison.Ordinal);

        using var stranger = Control("wrong-token");
        var refused = await Assert.ThrowsAsync<SkeinException>(() => stranger.ListAsync(Ct));
        Assert.Contains("unauthenticated", refused.Message, StringComparison.Ordinal);
        Assert.Contains("node node-m", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_is_refused_unless_the_node_allows_it_and_then_starts_the_module_again()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        var stats = Path.Combine(Examples, "modules", "stats", "stats.py");
        using (var control = Control())
        {
            await control.LoadAsync(stats, "stats", null, TestPatience.Ceiling, Ct);
            var refused = await Assert.ThrowsAsync<SkeinException>(() => control.ReloadAsync("stats", TestPatience.Ceiling, Ct));
            Assert.Contains("reloading modules is off", refused.Message, StringComparison.Ordinal);
        }

        await using var allowing = await NodeHost.StartAsync(new ServiceHost("node-r", new Skein.Cluster.Services.Hosting.ServiceHostOptions { AllowReload = true }), Token,
            cancellationToken: Ct, modulePaths: new ModulePaths([Examples], allowAnyPath: false));
        using var reloading = new ModuleControl("node-r", $"127.0.0.1:{allowing.Address.Port}", Token);
        await reloading.LoadAsync(stats, "stats", null, TestPatience.Ceiling, Ct);
        var before = ((Skein.Modules.Process.ProcessLoadedModule)allowing.Services.Modules.Single()).Process!.ProcessId;

        var reloaded = await reloading.ReloadAsync("stats", TestPatience.Ceiling, Ct);

        Assert.Equal("active", reloaded.State);
        Assert.NotEqual(before, ((Skein.Modules.Process.ProcessLoadedModule)allowing.Services.Modules.Single()).Process!.ProcessId);
        Assert.Equal(["stats"], allowing.Services.ServiceNames);
    }
}
