using System.Collections;
using Microsoft.Extensions.Configuration;
using Skein.Modules.Lifecycle;

namespace Skein.Cluster.Configuration;

/// <summary>
/// A node's and a coordinator's settings from skein.yaml and <c>SKEIN_…__…</c> environment variables, the variables
/// winning; the command line, applied by its caller on top, wins over both. Every source is checked against the
/// schema first, and every problem is reported at once (<see cref="SkeinConfigurationException"/>) before anything
/// starts: a wrong key or value is never a silent default.
/// </summary>
public sealed class SkeinConfiguration
{
    /// <summary>The file looked for in the current directory when none is named.</summary>
    public const string FileName = "skein.yaml";

    /// <summary>
    /// The configuration section all of Skein's settings are under, whatever the source: skein.yaml's <c>node.cores</c>,
    /// <c>SKEIN_NODE__CORES</c> and appsettings.json's <c>{ "Skein": { "Node": { "Cores": 8 } } }</c> are all
    /// <c>Skein:node:cores</c>.
    /// </summary>
    public const string Section = "Skein";

    private SkeinConfiguration(NodeSettings node, CoordinatorSettings coordinator, ClientSettings client)
    {
        Node = node;
        Coordinator = coordinator;
        Client = client;
    }

    public NodeSettings Node { get; }

    public CoordinatorSettings Coordinator { get; }

    /// <summary>What a hosted client (<c>AddSkeinClient</c>) is configured with; the skein command reads none of it.</summary>
    internal ClientSettings Client { get; }

    /// <summary>
    /// The file to read: <paramref name="named"/> when given (it must exist), else skein.yaml in
    /// <paramref name="directory"/> if there is one, else null (no file; environment variables still count).
    /// </summary>
    public static string? Locate(string? named, string directory)
    {
        if (!string.IsNullOrWhiteSpace(named)) return named;
        var here = Path.Combine(directory, FileName);
        if (!File.Exists(here)) return null;
        // Messages name the file as the user would: plainly "skein.yaml" when it is the current directory's.
        return Path.GetFullPath(directory) == Path.GetFullPath(Environment.CurrentDirectory) ? FileName : here;
    }

    /// <summary>Reads <paramref name="path"/> (none when null) and the environment's configuration variables.</summary>
    /// <param name="environment">The variables to read instead of this process's environment (tests).</param>
    /// <exception cref="SkeinConfigurationException">Something in the file or a variable is wrong; every problem is listed.</exception>
    public static SkeinConfiguration Load(string? path, IDictionary? environment = null)
    {
        var builder = new ConfigurationBuilder();
        if (path is not null) builder.AddSkeinYaml(path, optional: false);
        builder.AddSkeinEnvironmentVariables(environment);
        return Bind(builder.Build());
    }

    /// <summary>Checks every source of <paramref name="configuration"/> against the schema, then binds the merged values.</summary>
    /// <exception cref="SkeinConfigurationException">Something is wrong; every problem is listed, file problems in file order.</exception>
    public static SkeinConfiguration Bind(IConfigurationRoot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<ValidationProblem>();
        var checker = new ConfigurationChecker(problems);
        foreach (var provider in configuration.Providers) checker.Check(provider);
        var binder = new Binder(SchemaView.Of(configuration.Providers), checker);
        var result = new SkeinConfiguration(binder.Node(), binder.Coordinator(), binder.Client());
        if (problems.Count > 0)
        {
            // Stable: problems without a position (a variable's) keep their order after the file's.
            throw new SkeinConfigurationException(problems
                .OrderBy(p => p.Location is null ? 1 : 0)
                .ThenBy(p => p.Location?.Line ?? 0)
                .ThenBy(p => p.Location?.Column ?? 0)
                .ToList());
        }
        return result;
    }

    /// <summary>
    /// <see cref="Bind(IConfigurationRoot)"/> for whatever configuration a host has: its root when it is one (a host's
    /// always is), else its values as one source.
    /// </summary>
    internal static SkeinConfiguration Bind(IConfiguration configuration) =>
        Bind(configuration as IConfigurationRoot ?? new ConfigurationRoot([new SchemaView.Copy(configuration.AsEnumerable())]));

    /// <summary>Reads the merged values; each was checked in its own source, so a value that does not parse is skipped here.</summary>
    private sealed class Binder(SchemaView view, ConfigurationChecker checker)
    {
        private readonly IConfigurationRoot root = view.Root;

        public NodeSettings Node()
        {
            var node = new NodeSettings
            {
                Name = Text("node:name"),
                Token = Text("node:token"),
                Join = Text("node:join"),
                Cores = (int?)Read<long>("node:cores"),
                Slots = (int?)Read<long>("node:slots"),
                MemoryBytes = Read<long>("node:memory"),
                Listen = Text("node:listen"),
                AllowAnyModulePath = Read<bool>("node:allow-any-module-path"),
                AllowReload = Read<bool>("node:allow-reload"),
                ModuleRestart = Read<RestartMode>("node:module-restart"),
                ModuleOnFailure = Read<ModuleFailureAction>("node:module-on-failure"),
                MaxMessageBytes = (int?)Read<long>("node:max-message-size"),
                LeaseTimeout = Read<TimeSpan>("node:lease-timeout"),
                JoinTimeout = Read<TimeSpan>("node:join-timeout"),
                RegisterCeiling = Read<TimeSpan>("node:register-ceiling"),
                MaxReconnectDelay = Read<TimeSpan>("node:max-reconnect-delay"),
            };
            foreach (var label in root.GetSection("node:labels").GetChildren()) node.Labels[label.Key] = label.Value ?? "";
            foreach (var dir in root.GetSection("node:module-dirs").GetChildren())
            {
                if (Parse(dir.Path) is string full) node.ModuleDirectories.Add(full);
            }
            foreach (var module in root.GetSection("node:modules").GetChildren())
            {
                // Written as just its path, or as a mapping with a path: a variable may add a loader to the file's entry.
                var path = root[module.Path + ":path"] is not null ? Parse(module.Path + ":path") : module.Value is not null ? Parse(module.Path, "node:modules:0:path") : null;
                if (path is string full)
                {
                    node.Modules.Add(new ConfiguredModule(full, Parse(module.Path + ":name") as string, Parse(module.Path + ":loader") as string));
                }
                else if (root[module.Path + ":path"] is null && module.Value is null)
                {
                    // An empty entry ("- ") or one with a name or loader but no path, from whichever source wrote it last.
                    if (view.Source(module.Path, withChildren: true) is { } source)
                        checker.Report(source.Provider, source.Path, atValue: false, $"'node.modules[{module.Key}]' needs a 'path': the module's file or folder");
                }
            }
            return node;
        }

        public CoordinatorSettings Coordinator() => new()
        {
            Listen = Text("coordinator:listen"),
            HeartbeatInterval = Read<TimeSpan>("coordinator:heartbeat-interval"),
            LostAfter = Read<TimeSpan>("coordinator:lost-after"),
            EventHistoryCapacity = (int?)Read<long>("coordinator:event-history"),
            EventHistoryMaxBytes = Read<long>("coordinator:event-history-size"),
            MaxEventPayloadBytes = (int?)Read<long>("coordinator:max-event-size"),
            ArtifactLimit = Read<long>("coordinator:artifact-limit"),
        };

        public ClientSettings Client() => new()
        {
            Coordinator = Text("client:coordinator"),
            Token = Text("client:token"),
            StateDirectory = Text("client:state-directory"),
            CallTimeout = Read<TimeSpan>("client:call-timeout"),
            ConnectTimeout = Read<TimeSpan>("client:connect-timeout"),
            MaxMessageBytes = (int?)Read<long>("client:max-message-size"),
        };

        private T? Read<T>(string key) where T : struct => Parse(key) is T value ? value : null;

        private string? Text(string key) => Parse(key) as string;

        /// <summary>The merged value at <paramref name="key"/> read by its schema kind (the kind at <paramref name="schemaKey"/> when it differs).</summary>
        private object? Parse(string key, string? schemaKey = null)
        {
            if (root[key] is not { } text) return null;
            return Kind(schemaKey ?? key)?.Parse(text, ConfigurationChecker.BaseDirectory(view.Source(key, withChildren: false)?.Provider)).Value;
        }

        private static ValueKind? Kind(string key)
        {
            SchemaNode? at = ConfigurationSchema.Root;
            foreach (var part in key.Split(ConfigurationPath.KeyDelimiter))
            {
                at = at switch
                {
                    SectionSchema section => section.Find(part, loose: false),
                    ListSchema list => list.Element,
                    _ => null,
                };
            }
            return at switch
            {
                ValueSchema value => value.Kind,
                ListSchema { Element: ValueSchema element } => element.Kind,
                _ => null,
            };
        }
    }
}
