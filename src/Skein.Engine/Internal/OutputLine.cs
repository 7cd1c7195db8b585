namespace Skein.Engine;

/// <summary>Parses <c>::output NAME=VALUE</c>, the line a command prints to set one of its task's outputs.</summary>
internal static class OutputLine
{
    public const string Prefix = "::output ";

    /// <returns>True when the line is an output line; then either <paramref name="name"/> and <paramref name="value"/> or <paramref name="error"/> are set.</returns>
    public static bool TryParse(string line, out string? name, out string? value, out string? error)
    {
        name = value = error = null;
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var rest = line.AsSpan(Prefix.Length).TrimStart(' ');
        var eq = rest.IndexOf('=');
        if (eq < 0)
        {
            error = $"malformed output line (expected ::output NAME=VALUE): {TaskOutputs.Shorten(line)}";
            return true;
        }
        var candidate = rest[..eq].Trim(' ').ToString();
        var text = rest[(eq + 1)..].ToString();
        error = TaskOutputs.Check(candidate, text);
        if (error is not null) return true;
        name = candidate;
        value = text;
        return true;
    }
}
