namespace Skein.Shared.Text;

/// <summary>Byte counts as people write them: 4GiB, 512MiB.</summary>
internal static class ByteSize
{
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("TiB", 1L << 40), ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10),
        ("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000), ("kB", 1_000),
        ("T", 1L << 40), ("G", 1L << 30), ("M", 1L << 20), ("K", 1L << 10), ("B", 1),
    ];

    /// <summary>Reads "4GiB", "512 MiB", "1.5G", "1000" (bytes); false for anything else or a negative or too large size.</summary>
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 32) return false;
        var trimmed = text.Trim();
        long factor = 1;
        foreach (var (suffix, unit) in Units)
        {
            if (trimmed.EndsWith(suffix, StringComparison.Ordinal))
            {
                trimmed = trimmed[..^suffix.Length].TrimEnd();
                factor = unit;
                break;
            }
        }
        if (!decimal.TryParse(trimmed, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var number)) return false;
        var total = number * factor;
        if (total < 0 || total > long.MaxValue / 2) return false;
        bytes = (long)decimal.Round(total);
        return true;
    }

    /// <summary>The size in the largest binary unit that keeps it readable: "4 GiB", "1.5 MiB", "300 B".</summary>
    public static string Format(long bytes)
    {
        foreach (var (suffix, unit) in (ReadOnlySpan<(string, long)>)[("TiB", 1L << 40), ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10)])
        {
            if (bytes >= unit) return $"{((decimal)bytes / unit).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} {suffix}";
        }
        return $"{bytes} B";
    }
}
