using Skein.Yaml;

namespace Skein.Cluster.Apps;

/// <summary>
/// Orders apps by their dependencies, with no cluster involved: which apps start, in which order, and which running
/// apps stand in the way of a stop. Everything here is decided before anything starts or stops.
/// </summary>
public static class AppPlan
{
    /// <summary>
    /// The apps to start for <paramref name="name"/>: its dependencies first (each after its own, in the order
    /// <c>depends-on</c> lists them), the app itself last, each once.
    /// </summary>
    /// <exception cref="AppPlanException">An unknown or duplicated app, an app file with errors, or a dependency cycle.</exception>
    public static IReadOnlyList<AppManifest> StartOrder(AppCatalog catalog, string name)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var order = new List<AppManifest>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        Visit(catalog, name, null, path, done, order);
        return order;
    }

    /// <summary>
    /// The running apps that need <paramref name="name"/>, directly or through other apps, each as the chain from it
    /// to <paramref name="name"/> (<c>c, b, a</c>: c needs b, which needs a). Apps the catalog does not know are left out.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Dependents(AppCatalog catalog, string name, IEnumerable<string> running)
    {
        var chains = new List<IReadOnlyList<string>>();
        foreach (var app in running.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (app == name) continue;
            if (ChainTo(catalog, app, name, []) is { } chain) chains.Add(chain);
        }
        return chains;
    }

    /// <summary>
    /// The apps <c>skein app stop NAME</c> stops, in order: <paramref name="name"/>, then — with
    /// <paramref name="withDependencies"/> — its running dependencies, last started first, except those another running
    /// app still needs (<c>Kept</c>, each with one app that needs it).
    /// </summary>
    public static (IReadOnlyList<string> Stop, IReadOnlyList<(string App, string NeededBy)> Kept) StopOrder(
        AppCatalog catalog, string name, IReadOnlyCollection<string> running, bool withDependencies)
    {
        var stop = new List<string> { name };
        var kept = new List<(string, string)>();
        if (!withDependencies || catalog.Find(name) is null) return (stop, kept);

        var closure = StartOrder(catalog, name);
        for (var i = closure.Count - 2; i >= 0; i--)
        {
            var dependency = closure[i].Name;
            if (!running.Contains(dependency)) continue;
            var stillRunning = running.Where(r => !stop.Contains(r, StringComparer.Ordinal));
            var needers = Dependents(catalog, dependency, stillRunning);
            if (needers.Count > 0) kept.Add((dependency, needers[0][0]));
            else stop.Add(dependency);
        }
        return (stop, kept);
    }

    /// <summary>Every app <paramref name="name"/> needs, directly or not (valid apps only; unknown names are skipped).</summary>
    private static List<string>? ChainTo(AppCatalog catalog, string from, string target, HashSet<string> seen)
    {
        if (!seen.Add(from) || catalog.Find(from) is not { } app) return null;
        foreach (var dependency in app.DependsOn)
        {
            if (dependency.Name == target) return [from, target];
            if (ChainTo(catalog, dependency.Name, target, seen) is { } rest) return [from, .. rest];
        }
        return null;
    }

    private static void Visit(AppCatalog catalog, string name, (AppManifest App, AppDependency Entry)? requiredBy, List<string> path,
        HashSet<string> done, List<AppManifest> order)
    {
        if (done.Contains(name)) return;
        var onPath = path.IndexOf(name);
        if (onPath >= 0)
        {
            List<string> cycle = [.. path.Skip(onPath), name];
            var where = requiredBy?.Entry.Location is { } at ? $" ({at})" : "";
            throw new AppPlanException($"apps depend on each other in a cycle: {string.Join(" → ", cycle)}{where}; nothing was started", cycle: cycle);
        }

        var app = Resolve(catalog, name, requiredBy);
        path.Add(name);
        foreach (var dependency in app.DependsOn) Visit(catalog, dependency.Name, (app, dependency), path, done, order);
        path.RemoveAt(path.Count - 1);
        done.Add(name);
        order.Add(app);
    }

    private static AppManifest Resolve(AppCatalog catalog, string name, (AppManifest App, AppDependency Entry)? requiredBy)
    {
        var files = catalog.FilesNamed(name);
        if (files.Count > 1)
            throw new AppPlanException($"app '{name}' is defined by {files.Count} files: {string.Join(", ", files)}; rename or remove all but one");
        if (catalog.Find(name) is { } app) return app;

        if (catalog.InvalidNamed(name) is { } broken)
            throw new AppPlanException($"app '{name}' ({broken.File}) has errors", broken.Problems);

        // A broken file's app is still a good guess at a misspelt name; asking for it by name then shows its problems.
        var candidates = catalog.Names.Concat(catalog.Invalid.Where(r => r.Name is not null).Select(r => r.Name!)).ToList();
        var closest = KeySuggestion.Closest(name, candidates);
        var hint = closest is null ? "" : $" (did you mean '{closest}'?)";
        var searched = catalog.Directories.Count == 0 ? "" : $"; searched {string.Join(", ", catalog.Directories)}";
        // Files that did not read might hold the app; their problems say why it was not found.
        var unreadable = catalog.Invalid.Where(r => r.Name is null).SelectMany(r => r.Problems).ToList();
        if (requiredBy is { } by)
        {
            var where = by.Entry.Location is { } at ? $"{at}: " : "";
            throw new AppPlanException($"{where}app '{by.App.Name}' depends on '{name}', which is not a known app{hint}{searched}", unreadable);
        }
        throw new AppPlanException($"no app named '{name}' is known{hint}{searched}", unreadable);
    }
}
