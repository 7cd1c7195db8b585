using Skein.Modules.Stdio;

namespace Skein.Cluster.Services.Hosting;

/// <summary>A module's service, as its hello describes it, in the registry's terms.</summary>
internal static class ModuleServiceInfo
{
    public static ServiceDescription From(StdioServiceDescription service) => new()
    {
        Name = service.Name,
        Mode = service.Mode,
        Contract = "module",
        Methods = [.. service.Methods.Select(method => new ServiceMethodDescription
        {
            Name = method.Name, Parameters = [.. method.Parameters], Result = method.Result ?? "", Streaming = method.Streaming,
        })],
    };
}
