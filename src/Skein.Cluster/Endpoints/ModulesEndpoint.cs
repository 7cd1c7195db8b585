using Grpc.Core;
using Skein.Modules;
using Skein.Modules.Discovery;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Hosting;

namespace Skein.Cluster.Endpoints;

/// <summary>
/// A node's module control (modules.proto): load, unload and list, behind the cluster token like every call. A load
/// may name a module instead of a path: the node finds it in its module directories, then checks it like any path.
/// Names, paths, arguments and config are checked at the door (<see cref="ModuleRequestRules"/>): a bad one is
/// InvalidArgument, naming the value and the rule or limit, before anything is looked up or started.
/// </summary>
internal sealed class ModulesEndpoint(ServiceHost host, ModulePaths paths) : Protocol.Modules.ModulesBase
{
    public override async Task<ModuleDescription> Load(LoadModuleRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Path)) throw new RpcException(new Status(StatusCode.InvalidArgument, "a module path is required"));
        Refuse(ModuleRequestRules.PathProblem(request.Path));
        if (request.Name.Length > 0) Refuse(ModuleRequestRules.NameProblem(request.Name));
        var arguments = request.Args.ToList();
        Refuse(ModuleRequestRules.ArgumentsProblem(arguments));
        var config = ParseConfig(request.ConfigJson);
        Refuse(ModuleRequestRules.ConfigProblem(config));
        try
        {
            var path = paths.Check(ModuleCatalog.IsName(request.Path) ? Catalog().Find(request.Path).Path : request.Path, host.NodeName);
            var load = new ModuleLoadRequest(path, request.Name, request.Loader)
            {
                Config = config,
                Arguments = arguments,
                App = string.IsNullOrWhiteSpace(request.App) ? null : request.App,
                AllowedPaths = paths, // checked again on the entry file and at every start of a module process
            };
            var module = await host.AddModuleAsync(load, context.CancellationToken).ConfigureAwait(false);
            return Describe(module);
        }
        catch (ModuleStartFailedException ex)
        {
            // The module was found and loaded, then failed: told apart from a refusal so the CLI can exit 1, not 2.
            throw new RpcException(new Status(StatusCode.Aborted, ex.Message));
        }
        catch (SkeinException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, ex.Message));
        }
    }

    private static void Refuse(string? problem)
    {
        if (problem is not null) throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
    }

    private static System.Text.Json.JsonElement? ParseConfig(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"a module's config must be a JSON object, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}"));
            return document.RootElement.Clone();
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the module's config is not valid JSON: {ex.Message}"));
        }
    }

    public override async Task<UnloadModuleReply> Unload(UnloadModuleRequest request, ServerCallContext context)
    {
        Refuse(ModuleRequestRules.NameProblem(request.Name));
        if (!await host.RemoveModuleAsync(request.Name).ConfigureAwait(false))
            throw new RpcException(new Status(StatusCode.NotFound, $"no module named '{request.Name}' is loaded on node {host.NodeName}"));
        return new UnloadModuleReply();
    }

    public override async Task<ModuleDescription> Reload(ReloadModuleRequest request, ServerCallContext context)
    {
        Refuse(ModuleRequestRules.NameProblem(request.Name));
        try
        {
            return Describe(await host.ReloadModuleAsync(request.Name, context.CancellationToken).ConfigureAwait(false));
        }
        catch (ModuleStartFailedException ex)
        {
            // The module was found and loaded, then failed: told apart from a refusal so the CLI can exit 1, not 2.
            throw new RpcException(new Status(StatusCode.Aborted, ex.Message));
        }
        catch (SkeinException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, ex.Message));
        }
    }

    public override Task<ListAvailableModulesReply> ListAvailable(ListAvailableModulesRequest request, ServerCallContext context)
    {
        var catalog = Catalog();
        var reply = new ListAvailableModulesReply();
        reply.Directories.AddRange(catalog.Directories);
        foreach (var module in catalog.Scan())
        {
            var info = new AvailableModuleInfo
            {
                Name = module.Name, Loader = module.Loader, Path = module.Path, Entry = module.Entry,
                Problem = module.Problem ?? "", Description = module.Description ?? "",
            };
            info.Services.AddRange(module.Services);
            reply.Modules.Add(info);
        }
        return Task.FromResult(reply);
    }

    // Built per call: discovery looks at the directories as they are now, so a module copied in is found at once.
    private ModuleCatalog Catalog() => new(paths.Directories, host.Options.Loaders);

    public override Task<ListModulesReply> List(ListModulesRequest request, ServerCallContext context)
    {
        var reply = new ListModulesReply();
        foreach (var module in host.Modules) reply.Modules.Add(Describe(module));
        return Task.FromResult(reply);
    }

    private ModuleDescription Describe(LoadedModule module)
    {
        var description = new ModuleDescription
        {
            Name = module.Name,
            Loader = module.Loader,
            Path = module.File.Path,
            Size = module.File.Size,
            Sha256 = module.File.Sha256,
            State = "active",
            Node = host.NodeName,
            App = host.RequestOf(module.Name)?.App ?? "",
        };
        description.Services.AddRange(module.Services.Select(s => s.Name));
        if (module.Supervisor is { } supervisor)
        {
            var status = supervisor.GetStatus();
            description.State = status.State.ToString().ToLowerInvariant();
            description.Restarts = status.Restarts;
            description.LastExit = status.LastExit ?? "";
        }
        return description;
    }
}
