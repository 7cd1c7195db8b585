namespace Skein.Engine.Journal.Internal;

/// <summary>Suggests names close to a mistyped one, for "did you mean" in error messages.</summary>
internal static class CloseNames
{
    public static IReadOnlyList<string> Find(string wanted, IEnumerable<string> candidates, int max = 3)
    {
        var scored = new List<(int Score, string Name)>();
        foreach (var candidate in candidates)
        {
            var score = Score(wanted, candidate);
            if (score >= 0) scored.Add((score, candidate));
        }
        return scored
            .OrderBy(s => s.Score)
            .ThenBy(s => s.Name, StringComparer.Ordinal)
            .Take(max)
            .Select(s => s.Name)
            .ToList();
    }

    /// <summary>Lower is closer; negative means not close at all.</summary>
    private static int Score(string wanted, string candidate)
    {
        if (string.Equals(wanted, candidate, StringComparison.OrdinalIgnoreCase)) return 0;
        // A fragment of the name ("compile" for "compile-tests") is what people type most.
        if (candidate.Contains(wanted, StringComparison.OrdinalIgnoreCase) ||
            wanted.Contains(candidate, StringComparison.OrdinalIgnoreCase))
        {
            return 1;
        }
        var limit = Math.Max(2, wanted.Length / 3);
        var distance = Distance(wanted, candidate, limit);
        return distance <= limit ? 1 + distance : -1;
    }

    /// <summary>Case-insensitive edit distance, giving up (returning more than <paramref name="limit"/>) once it is exceeded.</summary>
    private static int Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit) return limit + 1;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = current[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                rowMin = Math.Min(rowMin, current[j]);
            }
            if (rowMin > limit) return limit + 1;
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
