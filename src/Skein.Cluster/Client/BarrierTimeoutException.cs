using Skein.Engine;

namespace Skein.Cluster.Client;

/// <summary>
/// A barrier did not release within its timeout: this participant was withdrawn. The message names who had arrived
/// and who is missing — "barrier 'setup' timed out after 30s: 2 of 3 arrived (node-1/a, node-2/b); missing 1".
/// </summary>
public sealed class BarrierTimeoutException : TimeoutException
{
    internal BarrierTimeoutException(string barrier, TimeSpan timeout, int count, IReadOnlyList<string> arrived, IReadOnlyList<string> missing)
        : base(Describe(barrier, timeout, count, arrived, missing))
    {
        Barrier = barrier;
        Timeout = timeout;
        Count = count;
        Arrived = arrived;
        Missing = missing;
    }

    /// <summary>The barrier's name.</summary>
    public string Barrier { get; }

    /// <summary>How long this participant waited.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>How many participants the barrier waited for.</summary>
    public int Count { get; }

    /// <summary>Who had arrived when the timeout passed, this participant included, in arrival order.</summary>
    public IReadOnlyList<string> Arrived { get; }

    /// <summary>The declared participants that had not arrived; empty when the participants were not declared (only counted).</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>How many had not arrived.</summary>
    public int MissingCount => Math.Max(0, Count - Arrived.Count);

    private static string Describe(string barrier, TimeSpan timeout, int count, IReadOnlyList<string> arrived, IReadOnlyList<string> missing) =>
        $"barrier '{barrier}' timed out after {Durations.Format(timeout)}: {arrived.Count} of {count} arrived" +
        (arrived.Count > 0 ? $" ({string.Join(", ", arrived)})" : "") +
        "; missing " + (missing.Count > 0 ? string.Join(", ", missing) : (count - arrived.Count).ToString(System.Globalization.CultureInfo.InvariantCulture));
}
