namespace Skein.Bench.Rpc.Targets;

/// <summary>Every target, in the order they are run and reported. The first is the baseline ratios are taken against.</summary>
internal static class TargetCatalog
{
    public const string Baseline = GrpcDeployment.Name;

    public static IReadOnlyList<EchoTargetDefinition> All { get; } =
    [
        new(GrpcDeployment.Name, "plain gRPC unary echo, Kestrel h2c, Grpc.Net.Client (the baseline)", GrpcDeployment.StartAsync),
        new(OrleansDeployment.Name, "Microsoft Orleans: a localhost silo, a grain per caller returning its argument", OrleansDeployment.StartAsync),
        new(SkeinDeployment.Name, "Skein: echo service through a typed proxy", SkeinDeployment.StartAsync),
        new(SkeinDeployment.PythonName, "Skein: the same call answered by a Python module process on the node", SkeinDeployment.StartPythonAsync),
        new(SkeinDeployment.PythonSerialName, "the Python row with SKEIN_MODULE_CONCURRENCY=1: the helper serves one call at a time", SkeinDeployment.StartPythonSerialAsync),
        new(SkeinDeployment.PythonBaseName, $"the Python row with the helper from ${SkeinDeployment.PythonBaseVariable} (an earlier sdk/python)", SkeinDeployment.StartPythonBaseAsync),
        new(SkeinLocalDeployment.Name, "Skein in-process: the same proxy, the service on the caller's own node", SkeinLocalDeployment.StartAsync),
        new(TcpC.TcpPingPongDeployment.Name, "the transport's limit: a C TCP ping-pong server, 32 bytes each way, one connection per caller", TcpC.TcpPingPongDeployment.StartAsync),
    ];
}
