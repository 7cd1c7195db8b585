using Skein.Modules.Discovery;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.NodeControl;

/// <summary>Between modules.proto's generated messages (internal; the wire format) and the types the public API shows.</summary>
internal static class ModuleWire
{
    public static ModuleInfo FromWire(this ModuleDescription description) => new()
    {
        Name = description.Name,
        Loader = description.Loader,
        Path = description.Path,
        Size = description.Size,
        Sha256 = description.Sha256,
        Services = [.. description.Services],
        State = description.State,
        Restarts = description.Restarts,
        LastExit = description.LastExit,
        Node = description.Node,
        App = description.App,
    };

    public static LoadModuleRequest ToWire(this RemoteModuleLoad load)
    {
        var request = new LoadModuleRequest { Path = load.Path, Name = load.Name, Loader = load.Loader, ConfigJson = load.ConfigJson, App = load.App };
        request.Args.AddRange(load.Arguments);
        return request;
    }

    public static AvailableModules FromWire(this ListAvailableModulesReply reply) => new(
        [.. reply.Modules.Select(m => new AvailableModule
        {
            Name = m.Name,
            Loader = m.Loader,
            Path = m.Path,
            Entry = m.Entry,
            Services = [.. m.Services],
            Description = m.Description.Length > 0 ? m.Description : null,
            Problem = m.Problem.Length > 0 ? m.Problem : null,
        })],
        [.. reply.Directories]);
}
