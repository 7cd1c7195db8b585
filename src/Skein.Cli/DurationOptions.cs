using System.Globalization;
using Skein.Engine;

namespace Skein.Cli;

/// <summary>Reads a duration given on the command line (500ms, 30s, 2m), and says which unit a bare number lacks.</summary>
internal static class DurationOptions
{
    /// <param name="option">The option's name as written, e.g. --timeout, for the message.</param>
    /// <param name="zeroAllowed">Whether a bare 0 is accepted (it needs no unit); the caller gives it its meaning.</param>
    public static TimeSpan Parse(string option, string text, bool zeroAllowed = false)
    {
        var trimmed = text.Trim();
        if (zeroAllowed && trimmed == "0") return TimeSpan.Zero;
        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            throw new SkeinException($"{option} {trimmed} has no unit — did you mean {trimmed}s?");
        return Durations.TryParse(trimmed, out var value) && value >= TimeSpan.Zero
            ? value
            : throw new SkeinException($"{option}: '{text}' is not a duration (e.g. 500ms, 30s, 2m)");
    }
}
