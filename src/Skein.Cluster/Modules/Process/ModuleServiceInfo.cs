using Skein.Cluster.Modules.Stdio;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Modules.Process;

/// <summary>A module's service, as its hello describes it, in the registry's terms.</summary>
internal static class ModuleServiceInfo
{
    public static ServiceInfo From(StdioServiceDescription service)
    {
        var info = new ServiceInfo
        {
            Name = service.Name,
            Mode = service.Mode switch
            {
                InstanceMode.Singleton => ServiceInstanceMode.Singleton,
                InstanceMode.Pooled => ServiceInstanceMode.Pooled,
                _ => ServiceInstanceMode.PerConnection,
            },
            Contract = "module",
        };
        foreach (var method in service.Methods)
        {
            var described = new ServiceMethodInfo { Name = method.Name, Result = method.Result ?? "", Streaming = method.Streaming };
            described.Parameters.AddRange(method.Parameters);
            info.Methods.Add(described);
        }
        return info;
    }
}
