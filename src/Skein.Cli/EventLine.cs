using System.Globalization;
using Skein.Cluster.Events;

namespace Skein.Cli;

/// <summary>One event as one line of text: ISO time, subject, payload (text when it is text, its size otherwise).</summary>
internal static class EventLine
{
    public static string Format(ClusterEvent evt)
    {
        var time = evt.PublishedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        return $"{time} {evt.Subject} {Payload(evt)}";
    }

    private static string Payload(ClusterEvent evt)
    {
        if (!evt.IsText) return string.Create(CultureInfo.InvariantCulture, $"<{evt.Payload.Length} bytes>");
        // Line breaks inside a payload would split the event over several lines, and readers (grep, tail) count lines.
        return evt.Text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }

    /// <summary>The message of a refused subject or pattern without .NET's "(Parameter 'x')" suffix, which means nothing to a user.</summary>
    public static string Problem(ArgumentException ex) =>
        ex.ParamName is { } name ? ex.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : ex.Message;
}
