using System.CommandLine;
using System.CommandLine.Parsing;
using Skein.Cluster;
using Skein.Cluster.Configuration;
using Skein.Modules;
using Skein.Modules.Lifecycle;
using Skein.Cluster.Addressing;

namespace Skein.Cli;

/// <summary>
/// What <c>skein node</c>, <c>skein coordinator</c> and <c>skein up</c> are configured with: skein.yaml, then the
/// <c>SKEIN_…__…</c> environment variables, then the flags given on the command line, each winning over the one
/// before. The file and the variables are checked whole before anything starts (<see cref="SkeinConfiguration"/>).
/// </summary>
internal static class CommandConfiguration
{
    /// <summary>--config FILE: the skein.yaml to read; without it, skein.yaml in the current directory if there is one.</summary>
    public static Option<string?> ConfigOption() => new("--config")
    {
        Description = $"The configuration file to read (default: {SkeinConfiguration.FileName} in the current directory, if there is one).",
        HelpName = "FILE",
    };

    /// <summary>The file (the one named, else the current directory's if any) and the variables, flags not yet applied.</summary>
    public static SkeinConfiguration Load(ParseResult parse, Option<string?> config)
    {
        var path = SkeinConfiguration.Locate(parse.GetValue(config), Environment.CurrentDirectory);
        if (path is not null) InputFiles.NotADirectory(path, "configuration file");
        return SkeinConfiguration.Load(path);
    }

    /// <summary>The full path of the file <see cref="Load"/> reads, or null when there is none (for skein up's nodes).</summary>
    public static string? FilePath(ParseResult parse, Option<string?> config) =>
        SkeinConfiguration.Locate(parse.GetValue(config), Environment.CurrentDirectory) is { } path ? Path.GetFullPath(path) : null;

    /// <summary>
    /// A node's settings: the configuration's, with every flag that was given on top. A scalar flag replaces the
    /// configured value, --labels adds to (and per key replaces) the configured labels, and --module, --isolated-module
    /// and --module-dir add to the configured lists.
    /// </summary>
    public static NodeSettings ForNode(ParseResult parse, Option<string?> config, NodeFlags flags)
    {
        var node = Load(parse, config).Node;
        if (parse.GetValue(flags.Join) is { } join) node.Join = join;
        // SKEIN_CLUSTER names the coordinator too, and as an environment variable it wins over the file.
        else if (Environment.GetEnvironmentVariable(ClusterLocator.ClusterVariable) is { Length: > 0 }) node.Join = null;
        if (parse.GetValue(flags.Name) is { } name) node.Name = name;
        foreach (var (key, value) in LabelsParser.Parse(parse.GetValue(flags.Labels))) node.Labels[key] = value;
        if (parse.GetValue(flags.Cores) is { } cores) node.Cores = cores;
        if (parse.GetValue(flags.Slots) is { } slots) node.Slots = slots;
        if (Given(parse, flags.Listen)) node.Listen = parse.GetValue(flags.Listen);
        var loader = parse.GetValue(flags.Loader);
        foreach (var path in parse.GetValue(flags.Modules) ?? []) node.Modules.Add(new ConfiguredModule(path, Loader: loader));
        foreach (var path in parse.GetValue(flags.IsolatedModules) ?? []) node.Modules.Add(new ConfiguredModule(path, Loader: ModuleFormats.Isolated));
        foreach (var dir in parse.GetValue(flags.ModuleDirectories) ?? []) node.ModuleDirectories.Add(Path.GetFullPath(dir));
        if (parse.GetValue(flags.AllowAnyModulePath)) node.AllowAnyModulePath = true;
        if (parse.GetValue(flags.AllowReload)) node.AllowReload = true;
        try
        {
            if (parse.GetValue(flags.ModuleRestart) is { } restart) node.ModuleRestart = RestartPolicy.ParseMode(restart);
            if (parse.GetValue(flags.ModuleOnFailure) is { } onFailure) node.ModuleOnFailure = ModuleFailureActions.Parse(onFailure);
        }
        catch (FormatException ex)
        {
            throw new SkeinException(ex.Message, ex);
        }
        return node;
    }

    /// <summary>A coordinator's settings: the configuration's, with the flags that were given on top.</summary>
    /// <param name="heartbeat">--heartbeat-interval in seconds; skein up has none.</param>
    /// <param name="lostAfter">--lost-after in seconds; skein up has none.</param>
    public static CoordinatorSettings ForCoordinator(ParseResult parse, Option<string?> config, Option<string> listen, Option<double>? heartbeat = null, Option<double>? lostAfter = null)
    {
        var coordinator = Load(parse, config).Coordinator;
        if (Given(parse, listen) || coordinator.Listen is null) coordinator.Listen = parse.GetValue(listen);
        if (heartbeat is not null && (Given(parse, heartbeat) || coordinator.HeartbeatInterval is null))
            coordinator.HeartbeatInterval = Seconds(parse.GetValue(heartbeat), heartbeat.Name);
        if (lostAfter is not null && (Given(parse, lostAfter) || coordinator.LostAfter is null))
            coordinator.LostAfter = Seconds(parse.GetValue(lostAfter), lostAfter.Name);
        return coordinator;
    }

    /// <summary>True when the option was written on the command line, not filled in from its default.</summary>
    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is OptionResult { Implicit: false };

    private static TimeSpan Seconds(double value, string option) =>
        double.IsFinite(value) && value is > 0 and <= 3600
            ? TimeSpan.FromSeconds(value)
            : throw new SkeinException($"{option} must be a number of seconds between 0 and 3600, not {value}");
}

/// <summary>The flags of <c>skein node</c> that the configuration file and variables can also set.</summary>
internal sealed record NodeFlags(
    Option<string?> Join,
    Option<string?> Name,
    Option<string?> Labels,
    Option<int?> Cores,
    Option<int?> Slots,
    Option<string> Listen,
    Option<string[]> Modules,
    Option<string?> Loader,
    Option<string[]> IsolatedModules,
    Option<string[]> ModuleDirectories,
    Option<bool> AllowAnyModulePath,
    Option<bool> AllowReload,
    Option<string?> ModuleRestart,
    Option<string?> ModuleOnFailure);
