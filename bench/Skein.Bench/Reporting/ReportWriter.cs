using System.Text;

namespace Skein.Bench.Reporting;

/// <summary>Prints the collected rows as an aligned console table, and optionally as markdown rows.</summary>
internal static class ReportWriter
{
    private static readonly string[] Headers = ["scenario", "subject", "result", "time", "vs baseline", "goal", "met", "note"];

    public static void WriteTable(TextWriter output, IReadOnlyList<ResultRow> rows)
    {
        var cells = new List<string[]>(rows.Count);
        foreach (var row in rows) cells.Add(Cells(row));
        var widths = new int[Headers.Length];
        for (var c = 0; c < Headers.Length; c++)
        {
            widths[c] = Headers[c].Length;
            foreach (var line in cells) widths[c] = Math.Max(widths[c], line[c].Length);
        }
        output.WriteLine(Line(Headers, widths));
        output.WriteLine(Line(Array.ConvertAll(widths, w => new string('-', w)), widths));
        foreach (var line in cells) output.WriteLine(Line(line, widths));
    }

    /// <summary>The header and rows of a markdown table, ready to paste into bench/RESULTS.md.</summary>
    public static void WriteMarkdown(TextWriter output, IReadOnlyList<ResultRow> rows)
    {
        output.WriteLine("| " + string.Join(" | ", Headers) + " |");
        output.WriteLine("|" + string.Concat(Enumerable.Repeat("---|", Headers.Length)));
        foreach (var row in rows)
        {
            var cells = Cells(row);
            for (var i = 0; i < cells.Length; i++) cells[i] = cells[i].Replace("|", "\\|", StringComparison.Ordinal);
            output.WriteLine("| " + string.Join(" | ", cells) + " |");
        }
    }

    private static string[] Cells(ResultRow row) =>
    [
        row.Scenario,
        row.Subject,
        row.Value,
        row.Time ?? "",
        row.Ratio is { } ratio ? Format.Ratio(ratio) : "",
        row.Goal ?? "",
        row.Met switch { true => "yes", false => "NO", null => "" },
        row.Note ?? "",
    ];

    private static string Line(string[] cells, int[] widths)
    {
        var text = new StringBuilder();
        for (var c = 0; c < cells.Length; c++)
        {
            if (c > 0) text.Append("  ");
            text.Append(c == cells.Length - 1 ? cells[c] : cells[c].PadRight(widths[c]));
        }
        return text.ToString().TrimEnd();
    }
}
