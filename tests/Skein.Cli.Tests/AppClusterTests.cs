using Skein.Cluster;
using Skein.Cluster.Apps;
using Skein.Modules;
using Skein.Cluster.NodeControl;
using Skein.Cluster.Addressing;

namespace Skein.Cli.Tests;

/// <summary>
/// <c>skein app</c> against real processes on loopback: a coordinator and two nodes, apps of Python modules written
/// into a scratch folder, started, refused and stopped through the CLI and checked through the nodes' module lists.
/// </summary>
[Collection(ServiceClusterTests.ModuleCollection)]
public sealed class AppClusterTests(AppCluster cluster) : IClassFixture<AppCluster>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task An_app_starts_after_its_dependency_a_needed_app_refuses_to_stop_and_both_stop_in_reverse()
    {
        using var apps = new TempDirectory();
        cluster.WriteModule(apps, "base/base_svc.py", "base-svc");
        cluster.WriteModule(apps, "top/top_svc.py", "top-svc");
        apps.Write("base/app.yaml", """
            name: base
            modules:
              - path: base_svc.py
                name: base-svc
                config: { greeting: hello, copies: 2 }
            """);
        apps.Write("top/app.yaml", """
            name: top
            depends-on: [base]
            modules:
              - path: top_svc.py
                name: top-svc
                node: beta
                args: [--tag, blue]
            """);

        var start = await cluster.RunAsync("app", "start", "top", "--app-dir", apps.Path);
        Assert.True(start.ExitCode == 0, start.ToString());
        var startingBase = start.Stdout.IndexOf("starting app base", StringComparison.Ordinal);
        var startingTop = start.Stdout.IndexOf("starting app top", StringComparison.Ordinal);
        Assert.True(startingBase >= 0 && startingTop > startingBase, start.ToString());
        Assert.Contains("base: base-svc is active on alpha", start.Stdout);
        Assert.Contains("top: top-svc is active on beta", start.Stdout);

        var modules = await cluster.ModulesAsync();
        Assert.Contains(modules, m => (m.Node, m.Name, m.App) == ("alpha", "base-svc", "base"));
        Assert.Contains(modules, m => (m.Node, m.Name, m.App) == ("beta", "top-svc", "top"));

        // The app's config and args reached the module.
        var config = await cluster.RunAsync("call", "base-svc", "Config");
        Assert.True(config.ExitCode == 0, config.ToString());
        Assert.Contains("\"greeting\":\"hello\"", config.Stdout.Replace(" ", ""));
        Assert.Contains("\"copies\":2", config.Stdout.Replace(" ", ""));
        var args = await cluster.RunAsync("call", "top-svc", "Args");
        Assert.Contains("[\"--tag\",\"blue\"]", args.Stdout.Replace(" ", ""));

        var list = await cluster.RunAsync("app", "list", "--app-dir", apps.Path);
        Assert.Matches(@"(?m)^base\s+-\s+running\s+alpha\s", list.Stdout);
        Assert.Matches(@"(?m)^top\s+base\s+running\s+beta\s", list.Stdout);

        var again = await cluster.RunAsync("app", "start", "top", "--app-dir", apps.Path);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("app base is already running", again.Stdout);
        Assert.Contains("app top is already running", again.Stdout);

        var refused = await cluster.RunAsync("app", "stop", "base", "--app-dir", apps.Path);
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("app 'base' is needed by running app 'top'", refused.Stderr);
        Assert.DoesNotContain("   at ", refused.Stderr);
        Assert.Contains(await cluster.ModulesAsync(), m => m.App == "base");

        var stopTop = await cluster.RunAsync("app", "stop", "top", "--app-dir", apps.Path);
        Assert.True(stopTop.ExitCode == 0, stopTop.ToString());
        Assert.Contains("top: unloaded top-svc from beta", stopTop.Stdout);
        var stopBase = await cluster.RunAsync("app", "stop", "base", "--app-dir", apps.Path);
        Assert.True(stopBase.ExitCode == 0, stopBase.ToString());
        Assert.DoesNotContain(await cluster.ModulesAsync(), m => m.App is "base" or "top");
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_module_that_fails_fails_the_start_naming_it_and_what_the_start_loaded_is_gone()
    {
        using var apps = new TempDirectory();
        cluster.WriteModule(apps, "dep/dep_svc.py", "dep-svc");
        cluster.WriteModule(apps, "shaky/first.py", "shaky-first");
        // Exits before its hello, as a module whose start-up fails does.
        apps.Write("shaky/broken.py", "import sys\nsys.stderr.write('broken: no database configured\\n')\nsys.exit(3)\n");
        cluster.WriteModule(apps, "shaky/never.py", "shaky-never");
        apps.Write("dep/app.yaml", "name: dep\nmodules:\n  - path: dep_svc.py\n");
        apps.Write("shaky/app.yaml", """
            name: shaky
            depends-on: [dep]
            modules:
              - path: first.py
              - path: broken.py
              - path: never.py
            """);

        var start = await cluster.RunAsync("app", "start", Path.Combine(apps.Path, "shaky"));

        Assert.True(start.ExitCode == 1, start.ToString());
        Assert.Contains("app 'shaky' failed to start: module 'broken' on node alpha", start.Stderr);
        Assert.Contains("no database configured", start.Stderr); // the node's reason: the module's last stderr lines
        Assert.DoesNotContain("   at ", start.Stderr);
        var first = start.Stdout.IndexOf("shaky: unloaded first from alpha", StringComparison.Ordinal);
        var dep = start.Stdout.IndexOf("dep: unloaded dep_svc from alpha", StringComparison.Ordinal);
        Assert.True(first >= 0 && dep > first, start.ToString());
        Assert.DoesNotContain("loading never", start.Stdout);
        Assert.DoesNotContain(await cluster.ModulesAsync(), m => m.App is "dep" or "shaky");
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_dependency_cycle_is_refused_naming_it_before_anything_loads()
    {
        using var apps = new TempDirectory();
        cluster.WriteModule(apps, "ping/ping.py", "ping-svc");
        cluster.WriteModule(apps, "pong/pong.py", "pong-svc");
        apps.Write("ping/app.yaml", "name: ping\ndepends-on: [pong]\nmodules:\n  - path: ping.py\n");
        apps.Write("pong/app.yaml", "name: pong\ndepends-on: [ping]\nmodules:\n  - path: pong.py\n");

        var start = await cluster.RunAsync("app", "start", "ping", "--app-dir", apps.Path);

        Assert.True(start.ExitCode == 2, start.ToString());
        Assert.Contains("ping → pong → ping", start.Stderr);
        Assert.DoesNotContain("loading", start.Stdout);
        Assert.DoesNotContain(await cluster.ModulesAsync(), m => m.App is "ping" or "pong");
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Bad_app_files_and_unknown_apps_are_exit_2_with_positions_and_suggestions()
    {
        using var apps = new TempDirectory();
        apps.Write("web/app.yaml", "name: web\ndepends-on: [databse]\nmodules:\n  - path: web.py\n");
        apps.Write("database.app.yaml", "name: database\nmodules:\n  - path: db.py\n    confg: {}\n");

        var unknown = await cluster.RunAsync("app", "start", "wbe", "--app-dir", apps.Path);
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Contains("no app named 'wbe' is known (did you mean 'web'?)", unknown.Stderr);

        var dependency = await cluster.RunAsync("app", "start", "web", "--app-dir", apps.Path);
        Assert.True(dependency.ExitCode == 2, dependency.ToString());
        Assert.Contains("app.yaml:2:14: app 'web' depends on 'databse', which is not a known app (did you mean 'database'?)", dependency.Stderr);

        var broken = await cluster.RunAsync("app", "start", Path.Combine(apps.Path, "database.app.yaml"));
        Assert.True(broken.ExitCode == 2, broken.ToString());
        Assert.Contains("database.app.yaml:4:5: error: unknown key 'confg' in a module (did you mean 'config'?)", broken.Stderr);
        Assert.DoesNotContain("   at ", broken.Stderr);
    }
}

/// <summary>A coordinator and two nodes, alpha and beta, that load modules from any path (the tests write theirs into scratch folders).</summary>
public sealed class AppCluster : IAsyncLifetime
{
    private SkeinProcess? _coordinator;
    private readonly List<SkeinProcess> _nodes = [];

    internal TempDirectory Directory { get; } = new();

    public Uri Address { get; private set; } = null!;

    public string Token => ClusterToken.Read(Path.Combine(Directory.Path, ".skein", ClusterToken.FileName));

    public async ValueTask InitializeAsync()
    {
        try
        {
            (_coordinator, Address) = await ExampleCluster.StartCoordinatorAsync(Directory.Path);
            _nodes.Add(await ExampleCluster.StartNodeAsync(Directory.Path, "alpha", "--allow-any-module-path"));
            _nodes.Add(await ExampleCluster.StartNodeAsync(Directory.Path, "beta", "--allow-any-module-path"));
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    internal Task<SkeinResult> RunAsync(params string[] args) => SkeinProcess.RunAsync(Directory.Path, args);

    /// <summary>Every module of every alive node, with its app label.</summary>
    public async Task<IReadOnlyList<ModuleInfo>> ModulesAsync()
    {
        using var nodes = new ClusterAppNodes(Address, Token, ServiceClusterTests.Timeout);
        return await nodes.ListModulesAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>A Python module offering <paramref name="service"/>, whose Config and Args methods return what the node gave it.</summary>
    internal void WriteModule(TempDirectory into, string relative, string service) => into.Write(relative, $$"""
        import sys
        sys.path.insert(0, {{System.Text.Json.JsonSerializer.Serialize(Path.Combine(RepositoryRoot(), "sdk", "python"))}})
        from skein_module import Module, method, service

        @service("{{service}}", mode="singleton")
        class Svc:
            def __init__(self, module):
                self.module = module

            @method
            def config(self) -> dict:
                return self.module.config

            @method
            def args(self) -> list:
                return self.module.args

        if __name__ == "__main__":
            sys.exit(Module(Svc).run())
        """);

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Skein.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("the tests run outside the repository");
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _nodes.Count - 1; i >= 0; i--) await _nodes[i].DisposeAsync();
        if (_coordinator is not null) await _coordinator.DisposeAsync();
        Directory.Dispose();
    }
}
