namespace Skein.Cli;

/// <summary>
/// Columns padded to their widest cell and separated by two spaces, the last one unpadded: reads well on a
/// terminal and splits cleanly on whitespace in scripts, which is why the cluster listings use it.
/// </summary>
internal static class TextTable
{
    public static void Write(IReadOnlyList<string[]> rows, TextWriter output)
    {
        var widths = new int[rows[0].Length];
        foreach (var row in rows)
            for (var i = 0; i < row.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        foreach (var row in rows)
            output.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
    }
}
