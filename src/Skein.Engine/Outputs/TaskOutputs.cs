using System.Text;

namespace Skein.Engine;

/// <summary>
/// The rules for a task's outputs — the named strings a task sets (<c>::output NAME=VALUE</c>, or
/// <see cref="TaskContext.SetOutput"/>) and its dependents read (<c>{{tasks.ID.outputs.NAME}}</c>,
/// <see cref="TaskContext.GetOutputs"/>).
/// </summary>
/// <remarks>
/// Outputs are bounded because they travel: they are journaled, shipped between nodes, and pasted into command
/// lines, whose single arguments Linux limits to 128 KiB.
/// </remarks>
public static class TaskOutputs
{
    /// <summary>The longest output name.</summary>
    public const int MaxNameLength = 64;

    /// <summary>The largest output value, in UTF-8 bytes.</summary>
    public const int MaxValueBytes = 32 * 1024;

    /// <summary>The most outputs one task sets.</summary>
    public const int MaxCount = 64;

    /// <summary>No outputs.</summary>
    public static IReadOnlyDictionary<string, string> None { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// A name is a letter or '_', then letters, digits, '_' and '-' (as in GitHub Actions), at most
    /// <see cref="MaxNameLength"/> characters.
    /// </summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength) return false;
        if (!(char.IsAsciiLetter(name[0]) || name[0] == '_')) return false;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-')) return false;
        }
        return true;
    }

    /// <summary>Why this output cannot be set, or null when it can.</summary>
    public static string? Check(string? name, string? value)
    {
        if (!IsValidName(name))
        {
            return $"'{Shorten(name ?? "")}' is not an output name: use letters, digits, '_' and '-', starting with a letter or '_', " +
                $"at most {MaxNameLength} characters";
        }
        if (value is null) return $"output '{name}' has no value";
        if (value.Contains('\0')) return $"output '{name}' contains a NUL character, which no command line or environment can hold";
        var bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes > MaxValueBytes) return $"output '{name}' is {bytes:N0} bytes; an output holds at most {MaxValueBytes / 1024} KiB (pass a file's path for more)";
        return null;
    }

    /// <summary>Why this set of outputs cannot be a task's, or null when it can.</summary>
    public static string? CheckAll(IReadOnlyDictionary<string, string>? outputs)
    {
        if (outputs is null || outputs.Count == 0) return null;
        if (outputs.Count > MaxCount) return $"the task set {outputs.Count} outputs; a task sets at most {MaxCount}";
        foreach (var (name, value) in outputs)
        {
            if (Check(name, value) is { } problem) return problem;
        }
        return null;
    }

    internal static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
