using System.Globalization;
using Skein.Bench.Rpc.Skein;

namespace Skein.Bench.Rpc.Targets;

/// <summary>The node's side of the Skein row: where it served the requests, and how many envelopes its frames carried.</summary>
internal sealed partial class SkeinDeployment : IReportsServerPaths
{
    private long[] _last = new long[8];

    public async Task<string?> DescribeSinceLastAsync(CancellationToken cancellationToken)
    {
        var line = await _server.AskAsync(NodeCounters.Command, NodeCounters.Command + " ", cancellationToken).ConfigureAwait(false);
        // "counters reader=N thread_pool=N frames_in=N envelopes_in=N frames_out=N envelopes_out=N cpu_us=N allocated=N"
        var now = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(pair => long.Parse(pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..], NumberStyles.None, CultureInfo.InvariantCulture))
            .ToArray();
        if (now.Length != _last.Length) return $"unreadable counters: {line}";
        var d = now.Zip(_last, (a, b) => a - b).ToArray();
        _last = now;
        var served = d[0] + d[1];
        return string.Create(CultureInfo.InvariantCulture,
            $"node served {served:N0} requests: {Share(d[0], served)} on the stream's reader, {Share(d[1], served)} on the thread pool; " +
            $"client→node {PerFrame(d[3], d[2])} envelopes/frame, node→client {PerFrame(d[5], d[4])} envelopes/frame; " +
            $"server process {PerCall(d[6], served)} µs CPU and {PerCall(d[7], served)} bytes allocated per request");
    }

    private static string Share(long part, long whole) =>
        string.Create(CultureInfo.InvariantCulture, $"{part:N0} ({(whole == 0 ? 0 : 100.0 * part / whole):0.#} %)");

    private static string PerCall(long total, long calls) =>
        calls == 0 ? "-" : (total / (double)calls).ToString("N1", CultureInfo.InvariantCulture);

    private static string PerFrame(long envelopes, long frames) =>
        frames == 0 ? "-" : (envelopes / (double)frames).ToString("0.00", CultureInfo.InvariantCulture);
}
