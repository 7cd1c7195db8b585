namespace Skein.Bench.Rpc.Targets;

/// <summary>The target exists in the catalog but cannot be measured (yet): the benchmark skips it with this message.</summary>
public sealed class TargetUnavailableException(string message) : Exception(message);
