using Skein.Cluster.Services;

namespace Skein.Cluster.Tests.Services;

/// <summary>Service descriptions as a node would register them; no implementation is needed by the registry.</summary>
internal static class TestServices
{
    public static ServiceDescription Echo(int capacity = 0) => new()
    {
        Name = "echo",
        Mode = InstanceMode.PerConnection,
        Capacity = capacity,
        Contract = "Tests.IEcho",
        Methods = [new ServiceMethodDescription { Name = "Echo", Parameters = ["String"], Result = "String" }],
    };

    public static ServiceDescription Clock() => new()
    {
        Name = "clock",
        Mode = InstanceMode.Singleton,
        Contract = "Tests.IClock",
        Methods = [new ServiceMethodDescription { Name = "Ticks", Parameters = ["Int32"], Result = "Int64", Streaming = true }],
    };

    public static ServiceDescription Named(string name) => new() { Name = name, Mode = InstanceMode.Pooled, Capacity = 2 };
}
