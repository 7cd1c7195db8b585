namespace Skein.Engine.Internal;

internal static class FileNames
{
    /// <summary>A task id made safe as a file name: anything but letters, digits, '.', '-' and '_' becomes '_'.</summary>
    public static string Sanitize(string id)
    {
        var safe = true;
        foreach (var c in id)
        {
            if (!IsSafe(c)) { safe = false; break; }
        }
        if (safe && id.Length > 0 && id[0] != '.') return id;
        return string.Create(id.Length, id, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = IsSafe(source[i]) && !(i == 0 && source[i] == '.') ? source[i] : '_';
        });
    }

    private static bool IsSafe(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_';
}
