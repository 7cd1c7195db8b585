using Skein.Bench.Reporting;
using Skein.Bench.Rpc.Reporting;

namespace Skein.Bench.Rpc.TcpC;

/// <summary>
/// When <c>tcp-c</c> ran, every other target's rate as a fraction of it at the same number of callers: the median
/// rounds' ratio, and the median of the per-round ratios (the targets take turns within a round, so a round's pair saw
/// the same machine).
/// </summary>
internal static class TransportLimitReport
{
    public static void Write(TextWriter output, IReadOnlyList<RpcRow> rows, bool markdown)
    {
        var limits = rows.Where(r => r.Target == TcpPingPongDeployment.Name && r.Median is not null).ToDictionary(r => r.Callers);
        var others = rows.Where(r => r.Target != TcpPingPongDeployment.Name && r.Median is not null && limits.ContainsKey(r.Callers)).ToList();
        if (others.Count == 0) return;
        output.WriteLine();
        output.WriteLine($"against the transport's limit ({TcpPingPongDeployment.Name}: C server, 32 bytes each way, one connection per caller):");
        if (markdown)
        {
            output.WriteLine($"| target | callers | calls/s | {TcpPingPongDeployment.Name} round trips/s | ÷ {TcpPingPongDeployment.Name} (median rounds) | ÷ {TcpPingPongDeployment.Name} (median of per-round ratios) |");
            output.WriteLine("|---|---:|---:|---:|---:|---:|");
        }
        foreach (var row in others)
        {
            var limit = limits[row.Callers];
            var ratio = row.Median!.CallsPerSecond / limit.Median!.CallsPerSecond;
            var perRound = row.Rounds.Zip(limit.Rounds, (a, b) => a.CallsPerSecond / b.CallsPerSecond).Order().ToList();
            var paired = perRound.Count == 0 ? double.NaN : perRound[(perRound.Count - 1) / 2];
            output.WriteLine(markdown
                ? $"| {row.Target} | {Format.Count(row.Callers)} | {Format.Number(row.Median.CallsPerSecond, "N0")} | {Format.Number(limit.Median.CallsPerSecond, "N0")} | {Format.Ratio(ratio)} | {Format.Ratio(paired)} |"
                : $"  {row.Target,-12} {Format.Count(row.Callers),4} callers: {Format.Ratio(ratio)} of {TcpPingPongDeployment.Name} (median of per-round ratios {Format.Ratio(paired)})");
        }
    }
}
