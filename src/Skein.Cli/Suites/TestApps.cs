using Skein.Cli.Commands;
using Skein.Cluster.Apps;
using Skein.Engine;
using Skein.Yaml;

namespace Skein.Cli.Suites;

/// <summary>
/// The configuration's <c>apps:</c>, each with the apps it depends on, in the order they start: read and planned
/// before anything is deployed (an unknown app or a cycle is bad input), started on the cluster once it is ready.
/// </summary>
internal sealed class TestApps
{
    private TestApps(IReadOnlyList<AppManifest> order) => Order = order;

    /// <summary>Every app to start, dependencies before dependents, each once.</summary>
    public IReadOnlyList<AppManifest> Order { get; }

    /// <summary>
    /// The folders the embedded cluster's nodes must be allowed to load modules from: those of the apps' <c>path:</c>
    /// modules (a node loads over the network only from its module directories).
    /// </summary>
    public IEnumerable<string> ModuleDirectories => Order
        .SelectMany(app => app.Modules)
        .Where(module => Path.IsPathRooted(module.Source))
        .Select(module => Directory.Exists(module.Source) ? module.Source : Path.GetDirectoryName(module.Source)!)
        .Distinct(StringComparer.Ordinal);

    /// <summary>
    /// Plans the configuration's apps: a path (an app.yaml, or a folder holding one) relative to the configuration, or a
    /// name found in the configuration's folder or on <c>SKEIN_APP_PATH</c>. Every problem goes to <paramref name="problems"/>.
    /// </summary>
    public static TestApps Plan(TestConfig config, List<ValidationProblem> problems)
    {
        var directories = new List<string> { config.Directory };
        directories.AddRange((Environment.GetEnvironmentVariable(AppCommand.AppPathVariable) ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var order = new List<AppManifest>();
        foreach (var entry in config.Apps)
        {
            try
            {
                var (catalog, name) = Find(entry, config.Directory, directories, problems);
                if (catalog is null) continue;
                foreach (var app in AppPlan.StartOrder(catalog, name))
                {
                    if (!order.Exists(a => a.Name == app.Name)) order.Add(app);
                }
            }
            catch (AppPlanException ex)
            {
                problems.Add(ValidationProblem.Error($"'apps': {ex.Message}", entry.Location));
                problems.AddRange(ex.Problems);
            }
        }
        return new TestApps(order);
    }

    private static (AppCatalog? Catalog, string Name) Find(Located<string> entry, string baseDirectory, List<string> directories, List<ValidationProblem> problems)
    {
        var target = entry.Value;
        var looksLikePath = target.Contains('/') || target.Contains('\\') || target.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase);
        if (!looksLikePath) return (AppCatalog.Discover(directories), target);
        var full = Path.GetFullPath(Path.Combine(baseDirectory, target));
        var file = Directory.Exists(full) ? Path.Combine(full, AppManifestReader.FileName) : full;
        if (!File.Exists(file))
        {
            problems.Add(ValidationProblem.Error($"'apps': no app file at {target} (looked for {file})", entry.Location));
            return (null, target);
        }
        var read = AppManifestReader.Load(file);
        problems.AddRange(read.Problems);
        return read.Manifest is null ? (null, target) : (AppCatalog.Discover(directories, file), read.Manifest.Name);
    }

    /// <summary>Starts the apps in order and waits until each module is active; a failure names the app and module.</summary>
    /// <exception cref="AppFailedException">An app did not start; what its start loaded was unloaded again.</exception>
    public async Task StartAsync(Uri coordinator, string token, TimeSpan loadTimeout, TextWriter output, CancellationToken cancellationToken)
    {
        if (Order.Count == 0) return;
        using var nodes = new ClusterAppNodes(coordinator, token, loadTimeout);
        await new AppRunner(nodes, progress => output.WriteLine(progress.ToString())).StartAsync(Order, cancellationToken).ConfigureAwait(false);
    }
}
