using Skein.Modules;
using Skein.Cluster.NodeControl;
using Skein.Yaml;

namespace Skein.Cluster.Apps;

/// <summary>
/// Starts apps in dependency order and stops them in reverse, through <see cref="IAppNodes"/>. A start that fails
/// leaves the cluster as it found it: what it loaded is unloaded again, last loaded first.
/// </summary>
public sealed class AppRunner
{
    private readonly IAppNodes _nodes;
    private readonly Action<AppProgress> _progress;

    /// <param name="progress">Told each step as it happens (progress lines); may be null.</param>
    public AppRunner(IAppNodes nodes, Action<AppProgress>? progress = null)
    {
        _nodes = nodes;
        _progress = progress ?? (_ => { });
    }

    /// <summary>The apps with modules loaded on the alive nodes.</summary>
    public async Task<IReadOnlyDictionary<string, RunningApp>> RunningAsync(CancellationToken cancellationToken) =>
        RunningApp.From(await _nodes.ListModulesAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Starts <paramref name="order"/> (from <see cref="AppPlan.StartOrder"/>) one app after the other, each module in
    /// the order its app lists them. Modules already loaded under their app are left as they are, so starting a running
    /// app, or one whose dependencies run, loads only what is missing.
    /// </summary>
    /// <exception cref="AppStartException">A module did not load; everything this call loaded has been unloaded again.</exception>
    /// <exception cref="AppFailedException">A module names a node that is not alive, or none is: found before anything loads.</exception>
    public async Task StartAsync(IReadOnlyList<AppManifest> order, CancellationToken cancellationToken)
    {
        var loaded = await _nodes.ListModulesAsync(cancellationToken).ConfigureAwait(false);
        var placements = await PlaceAsync(order, loaded, cancellationToken).ConfigureAwait(false);
        var started = new List<AppModuleLocation>();
        foreach (var app in order)
        {
            var missing = placements[app.Name];
            if (missing.Count == 0)
            {
                _progress(new AppProgress(AppProgressKind.AppAlreadyRunning, app.Name, Detail: Where(loaded, app.Name)));
                continue;
            }
            _progress(new AppProgress(AppProgressKind.AppStarting, app.Name, Detail: Count(app.Modules.Count, "module")));
            foreach (var module in app.Modules)
            {
                if (!missing.TryGetValue(module.Name, out var node))
                {
                    var there = loaded.First(m => m.App == app.Name && m.Name == module.Name);
                    _progress(new AppProgress(AppProgressKind.ModuleAlreadyLoaded, app.Name, module.Name, there.Node));
                    continue;
                }
                _progress(new AppProgress(AppProgressKind.ModuleLoading, app.Name, module.Name, node, module.Source));
                ModuleInfo description;
                try
                {
                    description = await _nodes.LoadAsync(node, Request(app, module), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SkeinException or OperationCanceledException)
                {
                    var (rolledBack, failures) = await RollBackAsync(new AppModuleLocation(app.Name, module.Name, node), started).ConfigureAwait(false);
                    if (ex is OperationCanceledException || cancellationToken.IsCancellationRequested)
                        throw new OperationCanceledException($"starting app '{app.Name}' was interrupted", ex, cancellationToken);
                    throw new AppStartException(app.Name, module.Name, node, ex.Message, rolledBack, failures, ex);
                }
                started.Add(new AppModuleLocation(app.Name, module.Name, node));
                _progress(new AppProgress(AppProgressKind.ModuleLoaded, app.Name, module.Name, node,
                    description.Services.Count == 0 ? null : $"services: {string.Join(", ", description.Services)}"));
            }
            _progress(new AppProgress(AppProgressKind.AppStarted, app.Name));
        }
    }

    /// <summary>
    /// Stops app <paramref name="name"/> — and with <see cref="AppStopOptions.WithDependencies"/> its dependencies no
    /// other running app needs — unloading each app's modules in the reverse of the order they start in.
    /// </summary>
    /// <exception cref="AppFailedException">
    /// A running app needs <paramref name="name"/>, or may (its file is not in <paramref name="catalog"/>), and nothing was
    /// stopped; or a module would not unload.
    /// </exception>
    /// <exception cref="AppPlanException"><paramref name="name"/> is neither running nor known.</exception>
    public async Task StopAsync(AppCatalog catalog, string name, AppStopOptions options, CancellationToken cancellationToken)
    {
        var running = await RunningAsync(cancellationToken).ConfigureAwait(false);
        if (!running.ContainsKey(name) && catalog.Find(name) is null)
        {
            var known = running.Keys.Concat(catalog.Names).Distinct(StringComparer.Ordinal).ToList();
            var closest = KeySuggestion.Closest(name, known);
            throw new AppPlanException($"no app named '{name}' is running or known{(closest is null ? "" : $" (did you mean '{closest}'?)")}");
        }
        if (options.WithDependencies && catalog.Find(name) is null)
            throw new AppPlanException($"app '{name}' is running, but its app file is not among the apps searched, so its dependencies are unknown; " +
                "name its file, or add its folder with --app-dir or SKEIN_APP_PATH");
        if (!options.Force) RefuseIfNeeded(catalog, name, running);

        var (stop, kept) = AppPlan.StopOrder(catalog, name, running.Keys.ToList(), options.WithDependencies);
        foreach (var app in stop)
        {
            if (!running.TryGetValue(app, out var modules))
            {
                _progress(new AppProgress(AppProgressKind.AppNotRunning, app));
                continue;
            }
            _progress(new AppProgress(AppProgressKind.AppStopping, app, Detail: $"{Count(modules.Modules.Count, "module")} on {string.Join(", ", modules.Nodes)}"));
            foreach (var module in UnloadOrder(catalog.Find(app), modules.Modules))
            {
                try
                {
                    await _nodes.UnloadAsync(module.Node, module.Name, cancellationToken).ConfigureAwait(false);
                }
                catch (SkeinException ex)
                {
                    throw new AppFailedException($"app '{app}' did not stop: module '{module.Name}' on node {module.Node}: {ex.Message}", ex);
                }
                _progress(new AppProgress(AppProgressKind.ModuleUnloaded, app, module.Name, module.Node));
            }
            _progress(new AppProgress(AppProgressKind.AppStopped, app));
        }
        foreach (var (app, neededBy) in kept) _progress(new AppProgress(AppProgressKind.AppKept, app, Detail: $"running app '{neededBy}' needs it"));
    }

    /// <summary>Refuses to stop an app that a running app needs, naming it and how; or one whose need cannot be checked.</summary>
    private static void RefuseIfNeeded(AppCatalog catalog, string name, IReadOnlyDictionary<string, RunningApp> running)
    {
        var dependents = AppPlan.Dependents(catalog, name, running.Keys);
        if (dependents.Count > 0)
        {
            var names = string.Join(", ", dependents.Select(d => $"'{d[0]}'"));
            var how = dependents.All(d => d.Count == 2) ? "" : $" ({string.Join("; ", dependents.Select(d => string.Join(" → ", d)))})";
            var one = dependents.Count == 1;
            throw new AppFailedException(
                $"app '{name}' is needed by running app{(one ? "" : "s")} {names}{how}; stop {(one ? "it" : "them")} first (or use --force)");
        }
        var unknown = running.Keys.Where(r => r != name && catalog.Find(r) is null).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new AppFailedException(
                $"cannot tell whether running app{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", unknown.Select(u => $"'{u}'"))} need{(unknown.Count == 1 ? "s" : "")} '{name}': " +
                "their app files are not among the apps searched (add their folder with --app-dir or SKEIN_APP_PATH), or use --force");
        }
    }

    /// <summary>
    /// Where each module still to load goes, per app; decided for all apps before anything loads, so a node that is
    /// not alive refuses the whole start instead of failing half-way.
    /// </summary>
    private async Task<Dictionary<string, Dictionary<string, string>>> PlaceAsync(IReadOnlyList<AppManifest> order,
        IReadOnlyList<ModuleInfo> loaded, CancellationToken cancellationToken)
    {
        var alive = await _nodes.AliveNodesAsync(cancellationToken).ConfigureAwait(false);
        var placements = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var app in order)
        {
            var missing = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var module in app.Modules)
            {
                if (loaded.Any(m => m.App == app.Name && m.Name == module.Name)) continue;
                if (module.Node is { } named && !alive.Contains(named, StringComparer.Ordinal))
                {
                    throw new AppFailedException($"app '{app.Name}': module '{module.Name}' is to run on node {named}, which is not alive" +
                        (alive.Count > 0 ? $" (alive: {string.Join(", ", alive)})" : "") + "; nothing was started");
                }
                if (alive.Count == 0)
                    throw new AppFailedException($"no node is alive to start app '{app.Name}' on; start one with 'skein node' or 'skein up'");
                missing[module.Name] = module.Node ?? alive[0];
            }
            placements[app.Name] = missing;
        }
        return placements;
    }

    /// <summary>
    /// Unloads what this start loaded, last first — beginning with the module whose load failed, if the node has it
    /// after all (a load the caller gave up on, at its deadline or interrupted, may still complete there). Not
    /// cancellable, so an interrupted start still cleans up.
    /// </summary>
    private async Task<(List<AppModuleLocation> RolledBack, List<string> Failures)> RollBackAsync(AppModuleLocation failed, List<AppModuleLocation> started)
    {
        var rolledBack = new List<AppModuleLocation>();
        var failures = new List<string>();
        var leftover = await LoadedAfterAllAsync(failed).ConfigureAwait(false);
        var undo = leftover ? [.. started, failed] : started;
        if (undo.Count > 0) _progress(new AppProgress(AppProgressKind.RollingBack, failed.App, Detail: Count(undo.Count, "module")));
        for (var i = undo.Count - 1; i >= 0; i--)
        {
            var module = undo[i];
            try
            {
                await _nodes.UnloadAsync(module.Node, module.Module, CancellationToken.None).ConfigureAwait(false);
                rolledBack.Add(module);
                _progress(new AppProgress(AppProgressKind.ModuleRolledBack, module.App, module.Module, module.Node));
            }
            catch (SkeinException ex)
            {
                failures.Add($"{module}: {ex.Message}");
            }
        }
        return (rolledBack, failures);
    }

    /// <summary>
    /// Whether the node has the module under this app's label: then this start's failed load made it (a module already
    /// there under the label is never loaded again), and it is ours to unload — never a same-named module of someone else.
    /// </summary>
    private async Task<bool> LoadedAfterAllAsync(AppModuleLocation module)
    {
        try
        {
            var loaded = await _nodes.ListModulesAsync(CancellationToken.None).ConfigureAwait(false);
            return loaded.Any(m => m.Node == module.Node && m.Name == module.Module && m.App == module.App);
        }
        catch (SkeinException)
        {
            return false; // best effort: the rest of the rollback does not depend on it
        }
    }

    /// <summary>The app's modules last-started first: modules its file no longer lists go first, then the file's in reverse.</summary>
    private static IEnumerable<ModuleInfo> UnloadOrder(AppManifest? app, IReadOnlyList<ModuleInfo> modules)
    {
        var listed = app?.Modules.Select(m => m.Name).ToList() ?? [];
        return modules
            .Select((module, index) => (module, index, rank: listed.IndexOf(module.Name)))
            .OrderByDescending(m => m.rank < 0 ? int.MaxValue : m.rank)
            .ThenByDescending(m => m.index)
            .Select(m => m.module);
    }

    private static RemoteModuleLoad Request(AppManifest app, AppModule module)
    {
        return new RemoteModuleLoad { Path = module.Source, Name = module.Name, App = app.Name, ConfigJson = module.ConfigJson ?? "", Arguments = [.. module.Arguments] };
    }

    private static string Where(IReadOnlyList<ModuleInfo> loaded, string app) =>
        "on " + string.Join(", ", loaded.Where(m => m.App == app).Select(m => m.Node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    private static string Count(int count, string what) => $"{count} {what}{(count == 1 ? "" : "s")}";
}
