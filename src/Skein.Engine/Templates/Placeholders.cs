using Skein.Shared.Text;
using System.Text.RegularExpressions;
using Skein.Yaml;

namespace Skein.Engine.Templates;

/// <summary>
/// The <c>{{name}}</c> placeholders of factory tasks: finding them, checking them, filling them in. In a <c>run</c>
/// command a value is shell-quoted (see <see cref="CommandPlaceholders"/>) unless written <c>{{raw name}}</c>.
/// </summary>
internal static partial class Placeholders
{
    /// <summary>The word before a name that pastes its value into a command as code, unquoted.</summary>
    public const string Raw = "raw";

    public const string File = "file";
    public const string FilePath = "file.path";
    public const string FileName = "file.name";
    public const string FileStem = "file.stem";
    public const string FileExt = "file.ext";
    public const string FileDir = "file.dir";
    public const string MatrixPrefix = "matrix.";

    /// <summary>The placeholders every foreach task may use.</summary>
    public static readonly IReadOnlyList<string> FileNames = [File, FilePath, FileName, FileStem, FileExt, FileDir];

    // Spaces inside the braces are allowed ({{ matrix.shard }}), as in most template languages users know.
    [GeneratedRegex(@"\{\{\s*([^{}]*?)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>One placeholder in a text: where it is, the name it refers to, and whether it was written raw.</summary>
    public readonly record struct Found(int Index, int Length, string Name, bool Raw);

    /// <summary>The placeholders in the text, in order.</summary>
    public static IEnumerable<Found> Find(string text)
    {
        if (!text.Contains("{{", StringComparison.Ordinal)) yield break;
        foreach (Match match in Pattern().Matches(text))
        {
            var (name, raw) = Parse(match.Groups[1].Value);
            yield return new Found(match.Index, match.Length, name, raw);
        }
    }

    /// <summary>"raw file" is the name "file" written raw; "raw" alone is just a name (an unknown one).</summary>
    private static (string Name, bool Raw) Parse(string inside)
    {
        if (inside.Length > Raw.Length && inside.StartsWith(Raw, StringComparison.Ordinal) && char.IsWhiteSpace(inside[Raw.Length]))
            return (inside[Raw.Length..].TrimStart(), true);
        return (inside, false);
    }

    /// <summary>
    /// The text with every known placeholder replaced by its value as it is (raw or not: only commands are quoted);
    /// unknown ones (already reported) stay as written.
    /// </summary>
    public static string Substitute(string text, IReadOnlyDictionary<string, string> values)
    {
        if (values.Count == 0 || !text.Contains("{{", StringComparison.Ordinal)) return text;
        return Pattern().Replace(text, match => values.TryGetValue(Parse(match.Groups[1].Value).Name, out var value) ? value : match.Value);
    }

    /// <summary>A <c>run</c> command with its placeholders filled in, each value quoted for where it stands in the command.</summary>
    /// <param name="problems">Gets a message for each placeholder that cannot be filled in safely.</param>
    public static string SubstituteCommand(string command, IReadOnlyDictionary<string, string> values, List<string> problems) =>
        CommandPlaceholders.Fill(command, values, problems);

    /// <summary>The values of the file placeholders for one file found by a foreach glob.</summary>
    public static void AddFileValues(Dictionary<string, string> values, string baseDirectory, string relativePath)
    {
        var absolute = Path.GetFullPath(Path.Combine(baseDirectory, relativePath));
        var directory = Path.GetDirectoryName(relativePath);
        values[File] = relativePath;
        values[FilePath] = absolute;
        values[FileName] = Path.GetFileName(relativePath);
        values[FileStem] = Path.GetFileNameWithoutExtension(relativePath);
        values[FileExt] = Path.GetExtension(relativePath);
        values[FileDir] = string.IsNullOrEmpty(directory) ? "." : directory.Replace('\\', '/');
    }
}
