namespace Skein.Engine;

/// <summary>Finds the known name closest to a misspelt one, for "did you mean" hints.</summary>
internal static class NameSuggester
{
    // Scanning every name of a huge job for a hint is not worth seconds; errors in such jobs still get reported.
    private const int MaxCandidates = 20_000;

    public static string Suggest(string wrong, params IEnumerable<string>[] candidateSets)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var seen = 0;
        foreach (var set in candidateSets)
        {
            foreach (var candidate in set)
            {
                if (++seen > MaxCandidates) break;
                var distance = Distance(wrong, candidate);
                if (distance < bestDistance)
                {
                    bestDistance = distance;
                    best = candidate;
                }
            }
        }
        var limit = Math.Max(2, wrong.Length / 3);
        return best is not null && bestDistance <= limit ? $" (did you mean '{best}'?)" : "";
    }

    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
