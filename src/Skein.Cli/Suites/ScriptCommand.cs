using System.Text;

namespace Skein.Cli.Suites;

/// <summary>How an experiment's script is started: by its shebang, else by its extension's interpreter, else as an executable.</summary>
internal static class ScriptCommand
{
    /// <summary>Interpreters by extension, for scripts without a shebang line.</summary>
    public static readonly IReadOnlyDictionary<string, string> Interpreters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".sh"] = "bash",
        [".bash"] = "bash",
        [".py"] = "python3",
        [".pl"] = "perl",
        [".rb"] = "ruby",
        [".js"] = "node",
    };

    /// <summary>True when a file of the suite's directory is taken as an experiment without being named in suite.yaml.</summary>
    public static bool LooksRunnable(string path) =>
        Interpreters.ContainsKey(Path.GetExtension(path)) || IsExecutable(path);

    /// <summary>The command line, or null with <paramref name="problem"/> saying why it cannot be run.</summary>
    public static IReadOnlyList<string>? For(string script, string? firstLine, out string? problem)
    {
        problem = null;
        if (firstLine is not null && firstLine.StartsWith("#!", StringComparison.Ordinal))
        {
            if (IsExecutable(script)) return [script];
            // Not executable (a checkout that lost the bit): its shebang still says how to run it.
            var words = firstLine[2..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length > 0) return [.. words, script];
        }
        if (Interpreters.TryGetValue(Path.GetExtension(script), out var interpreter)) return [interpreter, script];
        if (IsExecutable(script)) return [script];
        problem = $"cannot tell how to run {script}: give it a shebang line (#!/bin/bash), an extension Skein knows ({string.Join(", ", Interpreters.Keys)}), or make it executable";
        return null;
    }

    /// <summary>The command line as one bash word list, each word single-quoted.</summary>
    public static string ToShell(IReadOnlyList<string> words)
    {
        var text = new StringBuilder("exec");
        foreach (var word in words) text.Append(' ').Append('\'').Append(word.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'');
        return text.ToString();
    }

    private static bool IsExecutable(string path)
    {
        try
        {
            return !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
