using Skein.Cluster.Configuration;
using Skein.Cluster.Membership;
using Skein.Modules.Lifecycle;
using Skein.Cluster.Services;
using Skein.Cluster.Services.Hosting;
using Skein.Cluster.Protocol;
using Skein.Cluster.Addressing;

namespace Skein.Cluster.Configuration;

/// <summary>What a node offers and where it joins; validated once by <see cref="Validate"/> at start.</summary>
public sealed class NodeOptions
{
    /// <summary>The coordinator's address, HOST:PORT or http://HOST:PORT.</summary>
    public string Join { get; set; } = "";

    /// <summary>The cluster token presented on every call.</summary>
    public string Token { get; set; } = "";

    /// <summary>Unique among the cluster's live nodes.</summary>
    public string Name { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    public IDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public int Cores { get; set; } = Environment.ProcessorCount;

    public long MemoryBytes { get; set; } = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// How many cores' worth of job tasks the node runs at once (a task takes <c>resources.cores</c> slots, one by
    /// default); null: <see cref="Cores"/>.
    /// </summary>
    public int? Slots { get; set; }

    /// <summary>
    /// Where a <see cref="Node"/> keeps what it makes: a fresh working directory per task attempt that cannot run in
    /// its job file's directory. Default: a directory named after the node under the system's temporary directory.
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary>Where this node serves calls, HOST:PORT, as clients should dial it; empty when it serves none.</summary>
    public string Address { get; set; } = "";

    /// <summary>The services this node hosts, sent at every registration; change them later with <see cref="NodeAgent.UpdateServicesAsync"/>.</summary>
    public IList<ServiceDescription> Services { get; set; } = new List<ServiceDescription>();

    /// <summary>
    /// How long the first attempt to register may take; an attempt the coordinator does not answer in time is tried
    /// again, each allowed twice as long (up to 30 s), until <see cref="RegisterCeiling"/>.
    /// </summary>
    public TimeSpan JoinTimeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// How long the node keeps trying to register while the coordinator is there but slow (a loaded machine) before it
    /// gives up with an error; a coordinator that refuses the connection or the token fails the node at once.
    /// </summary>
    public TimeSpan RegisterCeiling { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest wait between reconnection attempts after the coordinator goes away.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(2);

    // What a hosted Node (AddSkeinNode) does besides membership; a bare NodeAgent ignores these.

    /// <summary>Where a <see cref="Node"/> serves calls, HOST:PORT; port 0 picks a free one, <c>*</c> listens everywhere.</summary>
    public string Listen { get; set; } = "127.0.0.1:0";

    /// <summary>
    /// Modules a <see cref="Node"/> loads at start, in order: assemblies, scripts, executables or module folders, each
    /// optionally with its name and loader (assembly, process or isolated; null lets the file choose).
    /// </summary>
    public IList<ConfiguredModule> Modules { get; set; } = new List<ConfiguredModule>();

    /// <summary>Directories module control may load from, and finds modules in by name.</summary>
    public IList<string> ModuleDirectories { get; set; } = new List<string>();

    /// <summary>Lets module control load a module from any path on this machine.</summary>
    public bool AllowAnyModulePath { get; set; }

    /// <summary>Lets module control reload modules (a debugging aid).</summary>
    public bool AllowReload { get; set; }

    /// <summary>The restart mode of modules that declare none; null keeps the default (permanent).</summary>
    public RestartMode? ModuleRestart { get; set; }

    /// <summary>What a module that failed for good does to the node unless it declares its own; null keeps the default (withdraw).</summary>
    public ModuleFailureAction? ModuleOnFailure { get; set; }

    /// <summary>The largest payload the node's call endpoint sends or accepts.</summary>
    public int MaxMessageBytes { get; set; } = MessageLimits.DefaultMaxMessageBytes;

    /// <summary>How long a per-connection object outlives a client that went away without releasing it.</summary>
    public TimeSpan LeaseTimeout { get; set; } = new ServiceHostOptions().LeaseTimeout;

    /// <summary>The module supervision these options ask for; null keeps the loaders' defaults.</summary>
    public ModuleSupervisorOptions? Supervision() =>
        ModuleRestart is null && ModuleOnFailure is null
            ? null
            : new ModuleSupervisorOptions
            {
                Restart = ModuleRestart is { } mode ? RestartPolicy.Default with { Mode = mode } : RestartPolicy.Default,
                OnFailure = ModuleOnFailure ?? ModuleFailureAction.Withdraw,
            };

    public void Validate()
    {
        _ = ClusterAddress.Parse(Join);
        if (string.IsNullOrWhiteSpace(Token)) throw new SkeinException("a node needs the cluster token");
        if (string.IsNullOrWhiteSpace(Name)) throw new SkeinException("a node needs a name");
        if (Address.Length > 0 && !IsHostAndPort(Address))
            throw new SkeinException($"invalid node address '{Address}': expected HOST:PORT where this node serves calls, e.g. 10.0.0.5:7701");
        _ = ServiceList.Freeze(Services);
        if (Cores < 1) throw new SkeinException($"cores must be at least 1, not {Cores}");
        if (Slots is < 1) throw new SkeinException($"slots must be at least 1, not {Slots}");
        if (JoinTimeout <= TimeSpan.Zero) throw new SkeinException("the join timeout must be positive");
        if (RegisterCeiling < JoinTimeout) throw new SkeinException("the registration ceiling must be at least the join timeout");
        if (MaxReconnectDelay <= TimeSpan.Zero) throw new SkeinException("the reconnect delay must be positive");
    }

    // Clients dial exactly this, so the port must be written out; "[::1]:7701" works as well as "host:7701".
    private static bool IsHostAndPort(string address)
    {
        var colon = address.LastIndexOf(':');
        return colon > 0
            && int.TryParse(address.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            && port is >= 1 and <= 65535
            && Uri.CheckHostName(address[..colon].Trim('[', ']')) != UriHostNameType.Unknown;
    }
}
