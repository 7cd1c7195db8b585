using System.Diagnostics;
using System.Numerics;

namespace Skein.Bench.Rpc.Load;

/// <summary>
/// Call latencies in <see cref="Stopwatch"/> ticks, bucketed log-linearly: exact below 256 ticks, then 128 buckets per
/// power of two (under 0.8% error). Recording is an increment in a fixed array, so measuring costs next to nothing
/// beside a remote call; each caller has its own, merged when the level ends.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBucketCount = 1 << SubBucketBits;
    private const int MaxExponent = 44; // 2^44 ticks: hours, whatever the tick
    private const int BucketCount = (MaxExponent - SubBucketBits + 2) * SubBucketCount;

    private readonly long[] _counts = new long[BucketCount];

    public long Count { get; private set; }

    public long MaxTicks { get; private set; }

    public void Record(long ticks)
    {
        if (ticks < 0) ticks = 0;
        _counts[IndexOf(ticks)]++;
        Count++;
        if (ticks > MaxTicks) MaxTicks = ticks;
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < BucketCount; i++) _counts[i] += other._counts[i];
        Count += other.Count;
        if (other.MaxTicks > MaxTicks) MaxTicks = other.MaxTicks;
    }

    /// <summary>The latency that <paramref name="percentile"/> percent of calls did not exceed, in ticks (bucket midpoint).</summary>
    public double TicksAtPercentile(double percentile)
    {
        if (Count == 0) return double.NaN;
        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * Count));
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(Midpoint(i), MaxTicks);
        }
        return MaxTicks;
    }

    public static double TicksToMicroseconds(double ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    private static int IndexOf(long ticks)
    {
        if (ticks < 2 * SubBucketCount) return (int)ticks;
        var exponent = Math.Min(63 - BitOperations.LeadingZeroCount((ulong)ticks), MaxExponent);
        var shift = exponent - SubBucketBits;
        var mantissa = (int)Math.Min(ticks >> shift, 2 * SubBucketCount - 1); // in [128, 256)
        return (shift + 1) * SubBucketCount + mantissa - SubBucketCount;
    }

    private static double Midpoint(int index)
    {
        if (index < 2 * SubBucketCount) return index;
        var shift = index / SubBucketCount - 1;
        var mantissa = index % SubBucketCount + SubBucketCount;
        var lower = (double)((long)mantissa << shift);
        return lower + (1L << shift) / 2.0;
    }
}
