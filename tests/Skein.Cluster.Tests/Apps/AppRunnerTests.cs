using Skein.Cluster.Apps;
using Skein.Modules;
using Skein.Cluster.NodeControl;

namespace Skein.Cluster.Tests.Apps;

public sealed class AppRunnerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AppManifest App(string name, string[] modules, params string[] dependsOn) =>
        new(name, $"/apps/{name}/app.yaml")
        {
            DependsOn = dependsOn.Select(d => new AppDependency(d)).ToList(),
            Modules = modules.Select(m => new AppModule(m, $"/apps/{name}/{m}.py")).ToList(),
        };

    [Fact]
    public async Task Start_loads_dependencies_first_each_module_with_its_app_label_config_and_arguments()
    {
        var db = App("db", ["store", "index"]) with { };
        db = db with { Modules = [db.Modules[0] with { ConfigJson = """{"size":3}""", Arguments = ["--fast"] }, db.Modules[1] with { Node = "beta" }] };
        var web = App("web", ["front"], "db");
        var nodes = new FakeNodes("alpha", "beta");
        var progress = new List<AppProgress>();

        await new AppRunner(nodes, progress.Add).StartAsync(AppPlan.StartOrder(AppCatalog.Of(db, web), "web"), Ct);

        Assert.Equal(["load alpha db/store", "load beta db/index", "load alpha web/front"], nodes.Calls);
        var store = nodes.Requests[0];
        Assert.Equal(("/apps/db/store.py", "store", "db", """{"size":3}"""), (store.Path, store.Name, store.App, store.ConfigJson));
        Assert.Equal(["--fast"], store.Arguments);
        Assert.Equal(
            [AppProgressKind.AppStarting, AppProgressKind.ModuleLoading, AppProgressKind.ModuleLoaded, AppProgressKind.ModuleLoading, AppProgressKind.ModuleLoaded,
             AppProgressKind.AppStarted, AppProgressKind.AppStarting, AppProgressKind.ModuleLoading, AppProgressKind.ModuleLoaded, AppProgressKind.AppStarted],
            progress.Select(p => p.Kind));
        Assert.Equal("  db: index is active on beta (services: index)", progress[4].ToString());
    }

    [Fact]
    public async Task A_running_app_is_not_started_again_and_a_partly_running_one_gets_only_what_it_lacks()
    {
        var db = App("db", ["store"]);
        var web = App("web", ["front", "back"], "db");
        var nodes = new FakeNodes("alpha");
        nodes.Preload("alpha", "store", "db");
        nodes.Preload("alpha", "front", "web");
        var progress = new List<AppProgress>();

        await new AppRunner(nodes, progress.Add).StartAsync([db, web], Ct);

        Assert.Equal(["load alpha web/back"], nodes.Calls);
        Assert.Equal("app db is already running (on alpha)", progress[0].ToString());
        Assert.Contains(progress, p => p.Kind == AppProgressKind.ModuleAlreadyLoaded && p.Module == "front");
    }

    [Fact]
    public async Task A_failing_module_unloads_everything_this_start_loaded_last_first_and_names_the_app_module_node_and_reason()
    {
        var db = App("db", ["store", "index"]);
        var web = App("web", ["front", "broken", "never"], "db");
        var nodes = new FakeNodes("alpha", "beta") { Fail = { ["broken"] = "the process exited with code 3 before its hello" } };
        nodes.Preload("beta", "cache", "other"); // not this start's: must stay

        var error = await Assert.ThrowsAsync<AppStartException>(() => new AppRunner(nodes).StartAsync([db, web], Ct));

        Assert.Equal(("web", "broken", "alpha"), (error.App, error.Module, error.Node));
        Assert.Contains("app 'web' failed to start: module 'broken' on node alpha: the process exited with code 3 before its hello", error.Message);
        Assert.Equal(
            ["load alpha db/store", "load alpha db/index", "load alpha web/front", "load alpha web/broken",
             "unload alpha front", "unload alpha index", "unload alpha store"],
            nodes.Calls);
        Assert.Equal(["web/front on alpha", "db/index on alpha", "db/store on alpha"], error.RolledBack.Select(m => m.ToString()));
        Assert.Equal(["cache"], nodes.Loaded.Select(m => m.Name));
    }

    [Fact]
    public async Task An_interrupted_start_unloads_what_it_loaded_including_a_load_the_node_finished_anyway()
    {
        var db = App("db", ["store", "slow"]);
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var nodes = new FakeNodes("alpha") { CompleteThenCancel = ("slow", interrupt) };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new AppRunner(nodes).StartAsync([db], interrupt.Token));

        Assert.Equal(["load alpha db/store", "load alpha db/slow", "unload alpha slow", "unload alpha store"], nodes.Calls);
        Assert.Empty(nodes.Loaded);
    }

    [Fact]
    public async Task A_module_placed_on_a_node_that_is_not_alive_refuses_the_start_before_anything_loads()
    {
        var db = App("db", ["store"]);
        var web = App("web", ["front"], "db");
        web = web with { Modules = [web.Modules[0] with { Node = "gamma" }] };
        var nodes = new FakeNodes("alpha", "beta");

        var error = await Assert.ThrowsAsync<AppFailedException>(() => new AppRunner(nodes).StartAsync([db, web], Ct));

        Assert.Contains("module 'front' is to run on node gamma, which is not alive (alive: alpha, beta)", error.Message);
        Assert.Empty(nodes.Calls);
    }

    [Fact]
    public async Task Stopping_an_app_a_running_app_needs_is_refused_naming_it_and_nothing_is_unloaded()
    {
        var catalog = AppCatalog.Of(App("db", ["store"]), App("web", ["front"], "db"), App("api", ["rest"], "web"));
        var nodes = new FakeNodes("alpha");
        nodes.Preload("alpha", "store", "db");
        nodes.Preload("alpha", "front", "web");
        nodes.Preload("alpha", "rest", "api");

        var error = await Assert.ThrowsAsync<AppFailedException>(() => new AppRunner(nodes).StopAsync(catalog, "db", new AppStopOptions(), Ct));

        Assert.Equal("app 'db' is needed by running apps 'api', 'web' (api → web → db; web → db); stop them first (or use --force)", error.Message);
        Assert.Empty(nodes.Calls);
    }

    [Fact]
    public async Task Stop_unloads_the_apps_modules_in_reverse_order_and_with_dependencies_theirs_after()
    {
        var catalog = AppCatalog.Of(App("db", ["store", "index"]), App("web", ["front", "back"], "db"));
        var nodes = new FakeNodes("alpha", "beta");
        nodes.Preload("alpha", "store", "db");
        nodes.Preload("beta", "index", "db");
        nodes.Preload("alpha", "front", "web");
        nodes.Preload("beta", "back", "web");

        await new AppRunner(nodes).StopAsync(catalog, "web", new AppStopOptions { WithDependencies = true }, Ct);

        Assert.Equal(["unload beta back", "unload alpha front", "unload beta index", "unload alpha store"], nodes.Calls);
        Assert.Empty(nodes.Loaded);
    }

    [Fact]
    public async Task A_running_app_whose_file_is_unknown_refuses_a_stop_unless_forced()
    {
        var catalog = AppCatalog.Of(App("db", ["store"]));
        var nodes = new FakeNodes("alpha");
        nodes.Preload("alpha", "store", "db");
        nodes.Preload("alpha", "mystery", "elsewhere");

        var error = await Assert.ThrowsAsync<AppFailedException>(() => new AppRunner(nodes).StopAsync(catalog, "db", new AppStopOptions(), Ct));
        Assert.Contains("cannot tell whether running app 'elsewhere' needs 'db'", error.Message);

        await new AppRunner(nodes).StopAsync(catalog, "db", new AppStopOptions { Force = true }, Ct);
        Assert.Equal(["unload alpha store"], nodes.Calls);
    }

    [Fact]
    public async Task Stopping_with_dependencies_an_app_whose_file_is_unknown_is_refused_before_anything_stops()
    {
        var nodes = new FakeNodes("alpha");
        nodes.Preload("alpha", "store", "db");
        var error = await Assert.ThrowsAsync<AppPlanException>(() =>
            new AppRunner(nodes).StopAsync(AppCatalog.Of(), "db", new AppStopOptions { WithDependencies = true }, Ct));
        Assert.Contains("its dependencies are unknown", error.Message);
        Assert.Empty(nodes.Calls);
    }

    [Fact]
    public async Task Stopping_an_app_nobody_knows_names_the_closest()
    {
        var nodes = new FakeNodes("alpha");
        nodes.Preload("alpha", "store", "db");
        var error = await Assert.ThrowsAsync<AppPlanException>(() => new AppRunner(nodes).StopAsync(AppCatalog.Of(), "bd", new AppStopOptions(), Ct));
        Assert.Equal("no app named 'bd' is running or known (did you mean 'db'?)", error.Message);
    }

    /// <summary>Nodes in memory: records every load and unload, fails the loads it is told to.</summary>
    private sealed class FakeNodes(params string[] alive) : IAppNodes
    {
        public List<string> Calls { get; } = [];
        public List<RemoteModuleLoad> Requests { get; } = [];
        public List<ModuleInfo> Loaded { get; } = [];
        public Dictionary<string, string> Fail { get; } = [];

        /// <summary>A load the node completes while the caller is interrupted: the module is there, the caller sees a cancellation.</summary>
        public (string Module, CancellationTokenSource Interrupt)? CompleteThenCancel { get; init; }

        public void Preload(string node, string module, string app) => Loaded.Add(new ModuleInfo { Node = node, Name = module, App = app, State = "active" });

        public Task<IReadOnlyList<string>> AliveNodesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>(alive);

        public Task<IReadOnlyList<ModuleInfo>> ListModulesAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ModuleInfo>>(Loaded.ToList());

        public Task<ModuleInfo> LoadAsync(string node, RemoteModuleLoad request, CancellationToken cancellationToken)
        {
            Calls.Add($"load {node} {request.App}/{request.Name}");
            Requests.Add(request);
            if (Fail.TryGetValue(request.Name, out var reason)) throw new SkeinException(reason);
            var module = new ModuleInfo { Node = node, Name = request.Name, App = request.App, State = "active", Services = [request.Name] };
            Loaded.Add(module);
            if (CompleteThenCancel is { } interrupted && interrupted.Module == request.Name)
            {
                interrupted.Interrupt.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
            }
            return Task.FromResult(module);
        }

        public Task UnloadAsync(string node, string module, CancellationToken cancellationToken)
        {
            Calls.Add($"unload {node} {module}");
            if (Loaded.RemoveAll(m => m.Node == node && m.Name == module) == 0) throw new SkeinException($"no module named '{module}' is loaded on node {node}");
            return Task.CompletedTask;
        }
    }
}
