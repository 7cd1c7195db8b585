namespace Skein.Yaml;

/// <summary>Finds the known key a misspelt one was probably meant to be.</summary>
public static class KeySuggestion
{
    /// <summary>The closest known key within a small edit distance, or null when none is close enough to be a typo.</summary>
    public static string? Closest(string unknown, IReadOnlyList<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        // Short keys tolerate one slip, longer ones a few; beyond that a suggestion is more confusing than helpful.
        var limit = Math.Max(1, Math.Min(3, unknown.Length / 3));
        var lower = unknown.ToLowerInvariant();
        foreach (var candidate in known)
        {
            var distance = Distance(lower, candidate);
            if (distance <= limit && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /// <summary>Optimal string alignment distance: Levenshtein plus swaps of neighbours ("nedes" is one step from "needs").</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    value = Math.Min(value, d[i - 2, j - 2] + 1);
                }
                d[i, j] = value;
            }
        }
        return d[a.Length, b.Length];
    }
}
