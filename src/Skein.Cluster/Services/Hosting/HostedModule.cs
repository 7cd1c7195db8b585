using Skein.Cluster.Modules;

namespace Skein.Cluster.Services.Hosting;

/// <summary>
/// A module a <see cref="ServiceHost"/> hosts: how it was asked for (what a reload repeats), and the services the host
/// added for it (what it removes on unload).
/// </summary>
internal sealed record HostedModule(ModuleLoadRequest Request, LoadedModule Module, IReadOnlyList<HostedService> Services);
