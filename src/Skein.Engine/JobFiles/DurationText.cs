using System.Globalization;

namespace Skein.Engine.JobFiles;

/// <summary>Reads durations written as a number and a unit, or several of them: 500ms, 30s, 5m, 1h, 1m30s, 1.5h.</summary>
internal static class DurationText
{
    public const string Examples = "500ms, 30s, 5m, 1h or 1m30s";

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var totalMs = 0.0;
        var i = 0;
        if (text.Length == 0) return false;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            if (i == start) return false;
            if (!double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            // "ms" is tried before "m" so that 500ms is not read as 500 minutes followed by garbage.
            double unitMs;
            if (string.CompareOrdinal(text, i, "ms", 0, 2) == 0) { unitMs = 1; i += 2; }
            else if (i < text.Length && text[i] == 's') { unitMs = 1_000; i++; }
            else if (i < text.Length && text[i] == 'm') { unitMs = 60_000; i++; }
            else if (i < text.Length && text[i] == 'h') { unitMs = 3_600_000; i++; }
            else return false;

            totalMs += number * unitMs;
        }

        if (!double.IsFinite(totalMs) || totalMs > TimeSpan.MaxValue.TotalMilliseconds) return false;
        duration = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    /// <summary>A guess at what the user meant, for the error message: "30" probably meant "30s".</summary>
    public static string? Suggest(string text) =>
        text.Length > 0 && double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _) ? text + "s" : null;
}
