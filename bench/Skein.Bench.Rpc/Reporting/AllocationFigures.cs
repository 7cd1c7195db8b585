using Skein.Bench.Reporting;
using Skein.Bench.Rpc.Load;

namespace Skein.Bench.Rpc.Reporting;

/// <summary>
/// Bytes allocated per call at each end (the client process; the server's child process), as the report prints them:
/// the median over a row's rounds, each end on its own, and their sum.
/// </summary>
internal static class AllocationFigures
{
    /// <summary>The target whose bytes per call the others are compared with.</summary>
    public const string Peer = "orleans";

    public static string Describe(LevelResult result) =>
        $"client {Bytes(result.ClientBytesPerCall)}, server {Bytes(result.ServerBytesPerCall)}";

    public static double Client(RpcRow row) => Median(row.Rounds.Select(r => r.ClientBytesPerCall));

    public static double Server(RpcRow row) => Median(row.Rounds.Select(r => r.ServerBytesPerCall));

    /// <summary>Both ends; NaN when the server could not say.</summary>
    public static double Total(RpcRow row) => Client(row) + Server(row);

    /// <summary>Both ends, as a multiple of the peer's at the same level ("—" without one).</summary>
    public static string RatioToPeer(RpcRow row, IReadOnlyList<RpcRow> rows)
    {
        var peer = rows.FirstOrDefault(r => r.Target == Peer && r.Callers == row.Callers && r.Median is not null);
        if (peer is null) return "—";
        var ratio = Total(row) / Total(peer);
        return double.IsFinite(ratio) ? Format.Ratio(ratio) : "—";
    }

    public static string Bytes(double bytes) => double.IsFinite(bytes) ? Format.Number(bytes, "N0") + " B" : "—";

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[(sorted.Count - 1) / 2];
    }
}
