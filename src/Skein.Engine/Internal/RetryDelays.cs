namespace Skein.Engine;

/// <summary>What a task's retry delay may be, and how job files name the backoffs.</summary>
internal static class RetryDelays
{
    /// <summary>No delay before a retry is longer: Polly's own limit, and far beyond any reasonable wait.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(1);

    public static readonly IReadOnlyList<string> BackoffNames = ["constant", "linear", "exponential"];

    public static bool TryParseBackoff(string text, out RetryBackoff backoff)
    {
        switch (text)
        {
            case "constant": backoff = RetryBackoff.Constant; return true;
            case "linear": backoff = RetryBackoff.Linear; return true;
            case "exponential": backoff = RetryBackoff.Exponential; return true;
            default: backoff = default; return false;
        }
    }
}
