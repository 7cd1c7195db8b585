using System.Globalization;

namespace Skein.Yaml;

/// <summary>Reads durations written as a number and a unit, or several of them: 500ms, 30s, 5m, 1h, 1m30s, 1.5h.</summary>
public static class DurationText
{
    public const string Examples = "500ms, 30s, 5m, 1h or 1m30s";

    /// <summary>The one parser of durations (Skein.Engine.Durations and the command line use it too).</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var span = text.AsSpan().Trim();
        var total = 0.0;
        while (!span.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < span.Length && (char.IsAsciiDigit(span[numberLength]) || span[numberLength] == '.')) numberLength++;
            if (numberLength == 0) return false;
            if (!double.TryParse(span[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
            span = span[numberLength..];
            var unitLength = 0;
            while (unitLength < span.Length && char.IsAsciiLetter(span[unitLength])) unitLength++;
            double scale;
            switch (span[..unitLength])
            {
                case "ms": scale = 0.001; break;
                case "s": scale = 1; break;
                case "m": scale = 60; break;
                case "h": scale = 3600; break;
                default: return false;
            }
            span = span[unitLength..];
            total += number * scale;
        }
        if (total > TimeSpan.MaxValue.TotalSeconds) return false;
        duration = TimeSpan.FromSeconds(total);
        return true;
    }

    /// <summary>A guess at what the user meant, for the error message: "30" probably meant "30s".</summary>
    public static string? Suggest(string text) =>
        text.Length > 0 && double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _) ? text + "s" : null;
}
