using Skein.Cluster.Modules;

namespace Skein.Cluster.Services.Hosting;

/// <summary>A module a <see cref="ServiceHost"/> hosts, with the services it added for it (what it removes on unload).</summary>
internal sealed record HostedModule(LoadedModule Module, IReadOnlyList<HostedService> Services);
