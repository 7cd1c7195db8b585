using Skein.Modules;
using Skein.Modules.Lifecycle;
using Skein.Cluster.Services.Hosting;

namespace Skein.Cluster.Configuration;

/// <summary>
/// What the configuration (skein.yaml's <c>node</c> section, <c>SKEIN_NODE__…</c> variables) says about a node; a
/// null or empty member was not configured and leaves the options' own default. Paths are full paths, relative
/// ones taken from skein.yaml's directory.
/// </summary>
public sealed class NodeSettings
{
    public string? Name { get; set; }

    /// <summary>The cluster token, from a host's own configuration (never skein.yaml or SKEIN_…__… variables).</summary>
    internal string? Token { get; set; }

    /// <summary>The coordinator to join, as http://HOST:PORT.</summary>
    public string? Join { get; set; }

    public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public int? Cores { get; set; }

    /// <summary>How many cores' worth of tasks the node runs at once; null: its cores.</summary>
    public int? Slots { get; set; }

    public long? MemoryBytes { get; set; }

    /// <summary>Where the node serves calls, HOST:PORT.</summary>
    public string? Listen { get; set; }

    /// <summary>Modules the node loads at start, in order.</summary>
    public IList<ConfiguredModule> Modules { get; } = new List<ConfiguredModule>();

    /// <summary>Directories modules may be loaded from by name or over the network.</summary>
    public IList<string> ModuleDirectories { get; } = new List<string>();

    public bool? AllowAnyModulePath { get; set; }

    public bool? AllowReload { get; set; }

    /// <summary>The restart mode of modules that do not declare their own.</summary>
    public RestartMode? ModuleRestart { get; set; }

    /// <summary>What a module that failed for good does to the node, unless it declares its own.</summary>
    public ModuleFailureAction? ModuleOnFailure { get; set; }

    public int? MaxMessageBytes { get; set; }

    public TimeSpan? LeaseTimeout { get; set; }

    public TimeSpan? JoinTimeout { get; set; }

    public TimeSpan? RegisterCeiling { get; set; }

    public TimeSpan? MaxReconnectDelay { get; set; }

    /// <summary>
    /// Sets what is configured on <paramref name="options"/>: scalars replace, labels are added to the ones it has
    /// (per key replacing), modules and module directories are added after the ones it has.
    /// </summary>
    public void ApplyTo(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Name is not null) options.Name = Name;
        if (Token is not null) options.Token = Token;
        if (Join is not null) options.Join = Join;
        foreach (var (key, value) in Labels) options.Labels[key] = value;
        if (Cores is { } cores) options.Cores = cores;
        if (Slots is { } slots) options.Slots = slots;
        if (MemoryBytes is { } memory) options.MemoryBytes = memory;
        if (Listen is not null) options.Listen = Listen;
        foreach (var module in Modules) options.Modules.Add(module);
        foreach (var directory in ModuleDirectories) options.ModuleDirectories.Add(directory);
        if (AllowAnyModulePath is { } anyPath) options.AllowAnyModulePath = anyPath;
        if (AllowReload is { } reload) options.AllowReload = reload;
        if (ModuleRestart is { } restart) options.ModuleRestart = restart;
        if (ModuleOnFailure is { } onFailure) options.ModuleOnFailure = onFailure;
        if (MaxMessageBytes is { } bytes) options.MaxMessageBytes = bytes;
        if (LeaseTimeout is { } lease) options.LeaseTimeout = lease;
        if (JoinTimeout is { } joinTimeout) options.JoinTimeout = joinTimeout;
        if (RegisterCeiling is { } ceiling) options.RegisterCeiling = ceiling;
        if (MaxReconnectDelay is { } reconnect) options.MaxReconnectDelay = reconnect;
    }
}

/// <summary>A module a node loads at start: its file or folder (a full path), and optionally its name and loader.</summary>
public sealed record ConfiguredModule(string Path, string? Name = null, string? Loader = null)
{
    public ModuleLoadRequest ToRequest() => new(Path, Name, Loader);
}
