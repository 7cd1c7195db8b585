using Skein.Modules;

namespace Skein.Cluster.Services.Hosting;

/// <summary>
/// A module a <see cref="ServiceHost"/> hosts: how it was asked for (what a reload repeats), the services the host
/// added for it (what it removes on unload), the gate its in-process calls pass, and its removal once one began.
/// </summary>
internal sealed class HostedModule(ModuleLoadRequest request, LoadedModule module, IReadOnlyList<HostedService> services, ModuleGate? gate)
{
    public ModuleLoadRequest Request { get; } = request;

    public LoadedModule Module { get; } = module;

    public IReadOnlyList<HostedService> Services { get; } = services;

    public ModuleGate? Gate { get; } = gate;

    /// <summary>The removal under way, so that a second request waits for it instead of starting another. Set under the host's lock.</summary>
    public Task? Removal { get; set; }
}
