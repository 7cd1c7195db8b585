using Skein.Bench.Rpc.Load;

namespace Skein.Bench.Rpc.Reporting;

/// <summary>One line of the report: a target at one concurrency level, measured, failed or pending.</summary>
internal sealed record RpcRow(string Target, int Callers, LevelResult? Result, string? Problem = null);
