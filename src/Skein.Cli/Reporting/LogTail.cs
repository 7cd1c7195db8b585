using System.Text;

namespace Skein.Cli.Reporting;

/// <summary>The end of an attempt's log, bounded, for a report: whatever the log holds, never more than asked for.</summary>
internal static class LogTail
{
    /// <summary>
    /// The last <paramref name="maxBytes"/> bytes of the log, from the first whole line in them, decoded as UTF-8
    /// (bytes that are not valid UTF-8 become U+FFFD); null when there is no log or it cannot be read.
    /// </summary>
    public static string? Read(string? path, int maxBytes)
    {
        if (path is null) return null;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = stream.Length;
            if (length == 0) return null;
            var start = Math.Max(0, length - maxBytes);
            stream.Position = start;
            var buffer = new byte[(int)(length - start)];
            stream.ReadExactly(buffer);
            var text = new UTF8Encoding(false, throwOnInvalidBytes: false).GetString(buffer);
            if (start == 0) return text;
            // Cut mid-file: drop the partial first line, and say how much is shown.
            var firstLine = text.IndexOf('\n');
            if (firstLine >= 0 && firstLine < text.Length - 1) text = text[(firstLine + 1)..];
            return $"… (the last {maxBytes / 1024} KiB of {length:N0} bytes; the whole log is {path})\n{text}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
