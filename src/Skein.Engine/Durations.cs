using System.Globalization;
using Skein.Yaml;

namespace Skein.Engine;

/// <summary>Durations as job files and the command line write them: 500ms, 30s, 5m, 1h, 1h30m, 1.5s.</summary>
public static class Durations
{
    public static bool TryParse(string? text, out TimeSpan duration) => DurationText.TryParse(text, out duration);

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var duration)
            ? duration
            : throw new FormatException($"'{text}' is not a duration; write a number and a unit: 500ms, 30s, 5m, 1h (or combined, 1m30s).");

    /// <summary>A short human form: 850ms, 4.2s, 3m05s, 1h02m.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1)) return $"{(int)duration.TotalMilliseconds}ms";
        if (duration < TimeSpan.FromMinutes(1))
            return duration.TotalSeconds == Math.Floor(duration.TotalSeconds)
                ? $"{(int)duration.TotalSeconds}s"
                : duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";
        if (duration < TimeSpan.FromHours(1))
            return duration.Seconds == 0 ? $"{(int)duration.TotalMinutes}m" : $"{(int)duration.TotalMinutes}m{duration.Seconds:00}s";
        return duration.Minutes == 0 ? $"{(int)duration.TotalHours}h" : $"{(int)duration.TotalHours}h{duration.Minutes:00}m";
    }
}
