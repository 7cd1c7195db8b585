using System.Text;
using System.Text.RegularExpressions;

namespace Skein.Cli.Suites;

/// <summary>
/// An experiment's metadata in its script's leading comments, one key a line:
/// <code>
/// #!/bin/bash
/// # skein: description: the service answers within a second
/// # skein: timeout: 30s
/// # skein: tags: [REQ-12, TC-4]
/// </code>
/// Only the comment block at the top is read (after a shebang line); <c>#</c> and <c>//</c> comments are understood.
/// </summary>
internal static partial class ScriptHeader
{
    /// <summary>The most of a script read for its header: it is at the top.</summary>
    private const int MaxBytes = 64 * 1024;

    /// <summary>
    /// The header's lines as YAML text, each on the line it has in the script (the others blank), so that a YAML
    /// problem points at the script's own line; null when the script has no <c># skein:</c> line.
    /// </summary>
    public static string? ReadYaml(string scriptPath, out string? firstLine)
    {
        firstLine = null;
        string text;
        using (var stream = new FileStream(scriptPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            var buffer = new byte[(int)Math.Min(stream.Length, MaxBytes)];
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            text = new UTF8Encoding(false, false).GetString(buffer, 0, read);
        }
        var lines = text.Split('\n');
        if (lines.Length > 0) firstLine = lines[0].TrimEnd('\r');
        var yaml = new StringBuilder();
        var found = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (i == 0 && line.StartsWith("#!", StringComparison.Ordinal))
            {
                yaml.Append('\n');
                continue;
            }
            if (HeaderLine().Match(line) is { Success: true } match)
            {
                yaml.Append(match.Groups[1].Value).Append('\n');
                found = true;
                continue;
            }
            // Another comment, or a blank line, inside the block; anything else ends it.
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed.StartsWith('#') || trimmed.StartsWith("//", StringComparison.Ordinal))
            {
                yaml.Append('\n');
                continue;
            }
            break;
        }
        return found ? yaml.ToString() : null;
    }

    [GeneratedRegex(@"^\s*(?:#|//)\s*skein:\s?(.*)$")]
    private static partial Regex HeaderLine();
}
