namespace Skein.Cluster.Events;

/// <summary>Content types events commonly carry; anything else is passed through untouched.</summary>
public static class EventContentTypes
{
    /// <summary>The default: the CLI and scripts in other languages read it without knowing the publisher's types.</summary>
    public const string Json = "application/json";

    public const string Text = "text/plain";

    public const string Binary = "application/octet-stream";

    /// <summary>True when the payload is meant to be read as UTF-8 text (JSON, text/*, +json).</summary>
    public static bool IsText(string contentType) =>
        contentType.Length == 0
        || contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
        || contentType.StartsWith(Json, StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("+json", StringComparison.OrdinalIgnoreCase);
}
