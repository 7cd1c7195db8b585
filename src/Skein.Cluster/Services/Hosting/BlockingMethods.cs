using System.Collections.Concurrent;

namespace Skein.Cluster.Services.Hosting;

/// <summary>
/// Judges, per method, whether its handlers do more than <see cref="Threshold"/> of work before their first await.
/// Such a handler would hold up every other call on the stream it was read from, so while it is judged blocking it
/// is served on the thread pool instead.
/// </summary>
/// <remarks>
/// One slow call proves little: a method's first call runs the JIT, and on a busy machine a thread is descheduled for
/// milliseconds at a time. So each synchronous part seen moves a score — a slow one up by <see cref="SlowWeight"/>, a
/// fast one down by one — and a method is judged blocking once its score reaches <see cref="BlockingAt"/> (two slow
/// parts in a row, or slow ones more often than one in four), and judged fast again once the calls it makes on the
/// thread pool have brought the score back to zero. A handler that truly blocks stays slow, and stays off the stream.
/// </remarks>
internal sealed class BlockingMethods
{
    public static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(1);

    /// <summary>What a slow synchronous part adds to the score; a fast one takes one off.</summary>
    internal const int SlowWeight = 4;

    /// <summary>The score from which a method is judged blocking.</summary>
    internal const int BlockingAt = 2 * SlowWeight;

    // The most a score can reach: a method that blocked for a long time is back on the stream after this many fast calls.
    private const int MaxScore = 8 * SlowWeight;

    // Methods are remembered once seen slow; names come from callers, so their number is bounded.
    private const int MaxMethods = 4096;

    private readonly ConcurrentDictionary<(string Service, string Method), Pace> _methods = new();
    private int _count;

    /// <summary>The judgement of one method; null for a method never seen slow (which is not blocking).</summary>
    public Pace? Find(string service, string method) => _methods.TryGetValue((service, method), out var pace) ? pace : null;

    public bool IsBlocking(string service, string method) => Find(service, method) is { Blocking: true };

    /// <summary>Counts one synchronous part of a handler of <paramref name="service"/>.<paramref name="method"/>.</summary>
    /// <param name="known">What <see cref="Find"/> returned for the method, which saves looking it up again.</param>
    public void Observe(string service, string method, TimeSpan synchronousPart, Pace? known = null)
    {
        var slow = synchronousPart > Threshold;
        var pace = known ?? Find(service, method);
        if (pace is null)
        {
            if (!slow) return; // a method never seen slow has nothing to forget
            if (Interlocked.Increment(ref _count) > MaxMethods)
            {
                Interlocked.Decrement(ref _count);
                return;
            }
            pace = _methods.GetOrAdd((service, method), static _ => new Pace());
        }
        pace.Observe(slow);
    }

    /// <summary>One method's score and judgement.</summary>
    internal sealed class Pace
    {
        private int _score;
        private volatile bool _blocking;

        public bool Blocking => _blocking;

        public int Score => Volatile.Read(ref _score);

        // Threads serving the same method at once may each overwrite the other's step: that only blurs a count that is
        // an estimate anyway. A fast method at zero writes nothing, so its calls do not share a cache line for nothing.
        public void Observe(bool slow)
        {
            var score = _score;
            if (slow) score = Math.Min(MaxScore, score + SlowWeight);
            else if (score > 0) score--;
            else return;
            _score = score;
            if (score >= BlockingAt) _blocking = true;
            else if (score == 0) _blocking = false;
        }
    }
}
