using System.CommandLine;
using Skein.Cluster.Apps;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein app start|stop|list</c>: apps (app.yaml) — named sets of modules with config and dependencies — started in
/// dependency order on a running cluster's nodes and stopped in reverse.
/// </summary>
internal static class AppCommand
{
    /// <summary>Colon-separated folders to look for apps in, after <c>--app-dir</c>.</summary>
    public const string AppPathVariable = "SKEIN_APP_PATH";

    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(60);

    public static Command Create() => new("app", "Start, stop and list apps: named sets of modules with config, started after the apps they depend on.")
    {
        Start(), Stop(), List(),
    };

    private static Command Start()
    {
        var target = TargetArgument("The app: its name, or its app.yaml (or the folder holding it).");
        var (appDirs, cluster, tokenFile, state) = (AppDirOption(), ClusterConnection.ClusterOption(), ClusterConnection.TokenFileOption(), CommonOptions.State());
        var command = new Command("start", "Start an app after the apps it depends on; if a module fails, unload what this start loaded and fail naming it.")
        {
            target, appDirs, cluster, tokenFile, state,
        };
        command.SetAction((parse, ct) => RunAsync(parse, ct, async (output, ct) =>
        {
            var (catalog, name) = Find(parse.GetValue(target)!, parse.GetValue(appDirs) ?? []);
            var order = AppPlan.StartOrder(catalog, name);
            using var nodes = Connect(parse.GetValue(cluster), parse.GetValue(tokenFile), parse.GetValue(state)!);
            await new AppRunner(nodes, p => output.WriteLine(p.ToString())).StartAsync(order, ct).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Stop()
    {
        var target = TargetArgument("The app: its name, or its app.yaml (or the folder holding it).");
        var withDependencies = new Option<bool>("--with-dependencies") { Description = "Also stop the apps it depends on, unless another running app needs them." };
        var force = new Option<bool>("--force") { Description = "Stop it even if running apps need it, or their app files cannot be found to tell." };
        var (appDirs, cluster, tokenFile, state) = (AppDirOption(), ClusterConnection.ClusterOption(), ClusterConnection.TokenFileOption(), CommonOptions.State());
        var command = new Command("stop", "Stop an app, its modules last-started first; refused while another running app needs it.")
        {
            target, withDependencies, force, appDirs, cluster, tokenFile, state,
        };
        command.SetAction((parse, ct) => RunAsync(parse, ct, async (output, ct) =>
        {
            var (catalog, name) = Find(parse.GetValue(target)!, parse.GetValue(appDirs) ?? [], mustExist: false);
            using var nodes = Connect(parse.GetValue(cluster), parse.GetValue(tokenFile), parse.GetValue(state)!);
            var options = new AppStopOptions { WithDependencies = parse.GetValue(withDependencies), Force = parse.GetValue(force) };
            await new AppRunner(nodes, p => output.WriteLine(p.ToString())).StopAsync(catalog, name, options, ct).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command List()
    {
        var (appDirs, cluster, tokenFile, state) = (AppDirOption(), ClusterConnection.ClusterOption(), ClusterConnection.TokenFileOption(), CommonOptions.State());
        var command = new Command("list", "The apps found (--app-dir, $SKEIN_APP_PATH) and those running: dependencies, state and nodes.")
        {
            appDirs, cluster, tokenFile, state,
        };
        var format = ListFormat.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(parse, ct, async (output, ct) =>
        {
            var json = format.IsJson(parse);
            var catalog = AppCatalog.Discover(SearchDirectories(parse.GetValue(appDirs) ?? []));
            using var nodes = Connect(parse.GetValue(cluster), parse.GetValue(tokenFile), parse.GetValue(state)!);
            var running = await new AppRunner(nodes).RunningAsync(ct).ConfigureAwait(false);
            AppTable.Write(catalog, running, json, output, parse.InvocationConfiguration.Error);
        }));
        return command;
    }

    /// <summary>Runs an app command: plan problems are bad input (exit 2), refusals and failures on the cluster exit 1.</summary>
    /// <remarks>
    /// Ctrl+C or SIGTERM cancels the action's token (skein turns off the default handling, which would end the process
    /// at once): an interrupted start unloads what it loaded before exiting 130.
    /// </remarks>
    private static async Task<int> RunAsync(ParseResult parse, CancellationToken ct, Func<TextWriter, CancellationToken, Task> action)
    {
        var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        using var shutdown = new Shutdown();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, shutdown.Token);
        try
        {
            await action(output, linked.Token).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            error.WriteLine("skein: interrupted");
            return ExitCodes.Interrupted;
        }
        catch (AppPlanException ex)
        {
            error.WriteLine($"skein: {ex.Message}");
            if (ex.Problems.Count > 0) ProblemPrinter.Print(ex.Problems, error);
            return ExitCodes.InvalidInput;
        }
        catch (AppFailedException ex)
        {
            error.WriteLine($"skein: {ex.Message}");
            return ExitCodes.TasksFailed;
        }
    }

    /// <summary>
    /// The catalog to look <paramref name="target"/> up in, and the app's name: a path (an app file, or a folder with an
    /// app.yaml) is read first and its own folder searched for its dependencies; a name is looked up in the search path.
    /// </summary>
    private static (AppCatalog Catalog, string Name) Find(string target, string[] appDirs, bool mustExist = true)
    {
        var directories = SearchDirectories(appDirs);
        if (!LooksLikePath(target)) return (AppCatalog.Discover(directories), target);

        var file = Directory.Exists(target) ? Path.Combine(target, AppManifestReader.FileName) : target;
        if (!File.Exists(file))
        {
            if (!mustExist && !target.Contains('/') && !target.Contains('\\')) return (AppCatalog.Discover(directories), target);
            throw new SkeinException(Directory.Exists(target) ? $"{target} holds no {AppManifestReader.FileName}" : $"no app file at {target}");
        }
        var read = AppManifestReader.Load(file);
        if (read.Manifest is null) throw new JobValidationException(read.Problems);
        return (AppCatalog.Discover(directories, file), read.Manifest.Name);
    }

    private static bool LooksLikePath(string target) =>
        target.Contains('/') || target.Contains('\\') || target.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) ||
        target.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || File.Exists(Path.Combine(target, AppManifestReader.FileName));

    /// <summary>--app-dir folders first, then $SKEIN_APP_PATH's; a --app-dir that does not exist is a typo worth stopping for.</summary>
    private static List<string> SearchDirectories(string[] appDirs)
    {
        foreach (var dir in appDirs)
        {
            if (!Directory.Exists(dir)) throw new SkeinException($"--app-dir {dir}: no such folder");
        }
        var fromEnvironment = (Environment.GetEnvironmentVariable(AppPathVariable) ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return [.. appDirs, .. fromEnvironment];
    }

    private static ClusterAppNodes Connect(string? cluster, string? tokenFile, string stateDirectory) =>
        new(ClusterConnection.ResolveAddress(cluster, stateDirectory), ClusterConnection.ResolveToken(tokenFile, stateDirectory), LoadTimeout);

    private static Argument<string> TargetArgument(string description) => new("NAME|PATH") { Description = description };

    private static Option<string[]> AppDirOption() => new("--app-dir")
    {
        Description = $"A folder of apps (DIR/NAME/app.yaml, DIR/*.app.yaml), searched before ${AppPathVariable}; repeatable.",
        HelpName = "DIR",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };
}
