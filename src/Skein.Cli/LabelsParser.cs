namespace Skein.Cli;

/// <summary>Reads <c>--labels k=v,k2=v2</c>.</summary>
internal static class LabelsParser
{
    public static Dictionary<string, string> Parse(string? text)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text)) return labels;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                throw new SkeinException($"invalid label '{part}' in --labels '{text}': expected KEY=VALUE pairs separated by commas, e.g. gpu=a100,zone=b");
            var key = part[..equals].Trim();
            if (!IsKey(key)) throw new SkeinException($"invalid label key '{key}' in --labels '{text}': use letters, digits, '.', '-', '_' and '/'");
            if (!labels.TryAdd(key, part[(equals + 1)..].Trim())) throw new SkeinException($"label '{key}' given twice in --labels '{text}'");
        }
        return labels;
    }

    private static bool IsKey(string key)
    {
        foreach (var c in key)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/')) return false;
        return key.Length > 0;
    }
}
