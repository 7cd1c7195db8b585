namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein up --labels</c>: <c>K=V,…</c> labels every node, <c>node-2:K=V,…</c> (or <c>2:K=V,…</c>) labels one node;
/// repeatable. A node's own labels are added after the shared ones and replace them key by key, so a cluster of
/// mostly alike nodes with one different node is one line.
/// </summary>
internal static class UpLabels
{
    /// <summary>The labels each node of <paramref name="count"/> gets, by node number (1-based); checked before anything starts.</summary>
    public static Dictionary<int, Dictionary<string, string>> PerNode(IReadOnlyList<string> given, int count)
    {
        var shared = new Dictionary<string, string>(StringComparer.Ordinal);
        var own = new Dictionary<int, Dictionary<string, string>>();
        foreach (var text in given)
        {
            var (node, pairs) = Split(text, count);
            var labels = LabelsParser.Parse(pairs);
            var target = node is { } number ? own.TryGetValue(number, out var found) ? found : own[number] = new(StringComparer.Ordinal) : shared;
            foreach (var (key, value) in labels) target[key] = value;
        }
        var result = new Dictionary<int, Dictionary<string, string>>();
        for (var i = 1; i <= count; i++)
        {
            var labels = new Dictionary<string, string>(shared, StringComparer.Ordinal);
            if (own.TryGetValue(i, out var mine))
                foreach (var (key, value) in mine) labels[key] = value;
            if (labels.Count > 0) result[i] = labels;
        }
        return result;
    }

    /// <summary>The labels as skein node's <c>--labels</c> takes them.</summary>
    public static string Format(IReadOnlyDictionary<string, string> labels) =>
        string.Join(',', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    private static (int? Node, string Pairs) Split(string text, int count)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        // A colon before the first '=' names a node; one after it belongs to a value (zone=eu:west).
        if (colon < 0 || (equals >= 0 && equals < colon)) return (null, text);
        var name = text[..colon].Trim();
        var digits = name.StartsWith("node-", StringComparison.Ordinal) ? name["node-".Length..] : name;
        if (!int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number < 1)
            throw new SkeinException($"--labels '{text}': '{name}' is not a node of skein up; name one as node-N or N, e.g. node-2:gpu=true");
        if (number > count)
            throw new SkeinException($"--labels '{text}': there is no {name} with --nodes {count} (nodes are node-1 to node-{count})");
        return (number, text[(colon + 1)..]);
    }
}
