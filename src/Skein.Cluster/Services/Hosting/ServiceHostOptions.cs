using Skein.Modules;
using Skein.Cluster.Services;
using Skein.Modules.BuiltIn;

namespace Skein.Cluster.Services.Hosting;

/// <summary>Limits and timings of a node's service host.</summary>
public sealed class ServiceHostOptions
{
    /// <summary>The largest payload (arguments or result) accepted or sent; default 16 MiB.</summary>
    public int MaxMessageBytes { get; set; } = MessageLimits.DefaultMaxMessageBytes;

    /// <summary>
    /// How long the per-connection objects of a client whose connection broke are kept before they are released
    /// (and their capacity freed). Default 30 s.
    /// </summary>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How much each client connection may queue for its socket before replies and stream items wait for room.</summary>
    public SendQueueLimits SendQueue { get; set; } = new();

    /// <summary>The loaders <see cref="ServiceHost.AddModuleAsync"/> chooses from; by default <see cref="BuiltInLoaders.Create"/>.</summary>
    public ModuleLoaders Loaders { get; set; } = BuiltInLoaders.Create();

    /// <summary>Whether <see cref="ServiceHost.ReloadModuleAsync"/> may be used: a debugging aid, off by default.</summary>
    public bool AllowReload { get; set; }
}
