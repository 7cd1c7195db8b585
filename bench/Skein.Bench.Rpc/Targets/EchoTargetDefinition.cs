namespace Skein.Bench.Rpc.Targets;

/// <summary>A system the benchmark can measure: its name on the command line and how to start it.</summary>
/// <param name="Start">Starts the server and connects a client; throws <see cref="TargetUnavailableException"/> when the system cannot be measured yet.</param>
public sealed record EchoTargetDefinition(string Name, string Description, Func<CancellationToken, Task<IEchoDeployment>> Start);
