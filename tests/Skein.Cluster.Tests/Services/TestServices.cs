using Skein.Cluster.Protocol;

namespace Skein.Cluster.Tests.Services;

/// <summary>Service descriptions as a node would register them; no implementation is needed by the registry.</summary>
internal static class TestServices
{
    public static ServiceInfo Echo(int capacity = 0) => new()
    {
        Name = "echo",
        Mode = ServiceInstanceMode.PerConnection,
        Capacity = capacity,
        Contract = "Tests.IEcho",
        Methods = { new ServiceMethodInfo { Name = "Echo", Parameters = { "String" }, Result = "String" } },
    };

    public static ServiceInfo Clock() => new()
    {
        Name = "clock",
        Mode = ServiceInstanceMode.Singleton,
        Contract = "Tests.IClock",
        Methods = { new ServiceMethodInfo { Name = "Ticks", Parameters = { "Int32" }, Result = "Int64", Streaming = true } },
    };

    public static ServiceInfo Named(string name) => new() { Name = name, Mode = ServiceInstanceMode.Pooled, Capacity = 2 };
}
