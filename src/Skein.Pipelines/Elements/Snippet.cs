namespace Skein.Pipelines.Elements;

/// <summary>A short, one-line excerpt of a text for error messages.</summary>
internal static class Snippet
{
    public static string Of(string text, int length = 80)
    {
        var line = text.ReplaceLineEndings("⏎");
        return line.Length <= length ? $"\"{line}\"" : $"\"{line[..length]}…\" ({text.Length} characters)";
    }
}
