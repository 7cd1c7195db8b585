using System.Text.RegularExpressions;

namespace Skein.Engine.JobFiles;

/// <summary>The <c>{{name}}</c> placeholders of factory tasks: finding them, checking them, filling them in.</summary>
internal static partial class Placeholders
{
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

    /// <summary>Reports each placeholder in the text that is not among the known names.</summary>
    /// <param name="anyMatrixName">Accept every matrix.* name, because the matrix's own keys could not be read.</param>
    public static void Check(
        Located<string> text, IReadOnlyCollection<string> known, bool anyMatrixName, string where, ProblemCollector problems)
    {
        if (!text.Value.Contains("{{", StringComparison.Ordinal)) return;
        foreach (Match match in Pattern().Matches(text.Value))
        {
            var name = match.Groups[1].Value;
            if (known.Contains(name) || anyMatrixName && name.StartsWith(MatrixPrefix, StringComparison.Ordinal)) continue;
            var hint = known.Count == 0
                ? "placeholders exist only in tasks with 'matrix' or 'foreach'"
                : "known here: " + string.Join(", ", known.Select(k => "{{" + k + "}}"));
            problems.Error($"unknown placeholder '{{{{{name}}}}}' {where} ({hint})", text.Location);
        }
    }

    /// <summary>The text with every known placeholder replaced by its value; unknown ones (already reported) stay as written.</summary>
    public static string Substitute(string text, IReadOnlyDictionary<string, string> values)
    {
        if (values.Count == 0 || !text.Contains("{{", StringComparison.Ordinal)) return text;
        return Pattern().Replace(text, match => values.TryGetValue(match.Groups[1].Value, out var value) ? value : match.Value);
    }

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
