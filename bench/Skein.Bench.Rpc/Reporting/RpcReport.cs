using Skein.Bench.Reporting;

namespace Skein.Bench.Rpc.Reporting;

/// <summary>The console table and, with --markdown, the same rows for bench/RESULTS.md.</summary>
internal static class RpcReport
{
    private static readonly string[] Headers =
    [
        "target", "callers", "calls/s", "÷ gRPC unary", "p50 µs", "p99 µs", "rounds, calls/s",
        "client B/call", "server B/call", "B/call", "B ÷ " + AllocationFigures.Peer, "max µs", "calls",
    ];

    // The markdown table leaves out max and the call count: they are for judging a run, not for the record.
    private const int MarkdownColumns = 11;

    public static void WriteTable(TextWriter output, IReadOnlyList<RpcRow> rows, string baseline)
    {
        var cells = Cells(rows, baseline, markdown: false);
        var widths = new int[Headers.Length];
        for (var c = 0; c < Headers.Length; c++)
        {
            widths[c] = Headers[c].Length;
            foreach (var row in cells) widths[c] = Math.Max(widths[c], row[c].Length);
        }
        output.WriteLine(Line(Headers, widths));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in cells) output.WriteLine(Line(row, widths));
    }

    public static void WriteMarkdown(TextWriter output, IReadOnlyList<RpcRow> rows, string baseline)
    {
        output.WriteLine($"| {string.Join(" | ", Headers.Take(MarkdownColumns))} |");
        output.WriteLine("|---" + string.Concat(Enumerable.Repeat("|---:", MarkdownColumns - 1)) + "|");
        foreach (var row in Cells(rows, baseline, markdown: true))
            output.WriteLine($"| {string.Join(" | ", row.Take(MarkdownColumns))} |");
    }

    private static List<string[]> Cells(IReadOnlyList<RpcRow> rows, string baseline, bool markdown)
    {
        var cells = new List<string[]>(rows.Count);
        foreach (var row in rows)
        {
            if (row.Median is not { } result)
            {
                var problem = row.Problem ?? "no result";
                var cell = new string[Headers.Length];
                Array.Fill(cell, "");
                cell[0] = row.Target;
                cell[1] = Format.Count(row.Callers);
                cell[2] = markdown ? $"*{problem}*" : problem;
                cells.Add(cell);
                continue;
            }
            var reference = rows.FirstOrDefault(r => r.Target == baseline && r.Callers == row.Callers)?.Median;
            cells.Add(
            [
                row.Target,
                Format.Count(row.Callers),
                Format.Number(result.CallsPerSecond, "N0"),
                reference is null ? "—" : Format.Ratio(result.CallsPerSecond / reference.CallsPerSecond),
                Format.Number(result.P50Microseconds, "N0"),
                Format.Number(result.P99Microseconds, "N0"),
                row.Rounds.Count == 1
                    ? "1"
                    : $"{row.Rounds.Count}: {Format.Number(row.MinCallsPerSecond, "N0")}–{Format.Number(row.MaxCallsPerSecond, "N0")}",
                AllocationFigures.Bytes(AllocationFigures.Client(row)),
                AllocationFigures.Bytes(AllocationFigures.Server(row)),
                AllocationFigures.Bytes(AllocationFigures.Total(row)),
                AllocationFigures.RatioToPeer(row, rows),
                Format.Number(result.MaxMicroseconds, "N0"),
                Format.Count(result.Calls),
            ]);
        }
        return cells;
    }

    private static string Line(IReadOnlyList<string> cells, int[] widths)
    {
        var parts = new string[cells.Count];
        for (var c = 0; c < cells.Count; c++)
            parts[c] = c == 0 ? cells[c].PadRight(widths[c]) : cells[c].PadLeft(widths[c]);
        return string.Join("  ", parts).TrimEnd();
    }
}
