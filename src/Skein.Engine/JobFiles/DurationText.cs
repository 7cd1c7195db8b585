using System.Globalization;

namespace Skein.Engine.JobFiles;

/// <summary>Reads durations written as a number and a unit, or several of them: 500ms, 30s, 5m, 1h, 1m30s, 1.5h.</summary>
internal static class DurationText
{
    public const string Examples = "500ms, 30s, 5m, 1h or 1m30s";

    public static bool TryParse(string text, out TimeSpan duration) => Durations.TryParse(text, out duration);

    /// <summary>A guess at what the user meant, for the error message: "30" probably meant "30s".</summary>
    public static string? Suggest(string text) =>
        text.Length > 0 && double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _) ? text + "s" : null;
}
