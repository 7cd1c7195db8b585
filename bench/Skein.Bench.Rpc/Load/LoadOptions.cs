namespace Skein.Bench.Rpc.Load;

/// <summary>How long and how hard the load runner drives each target. Built once from the command line.</summary>
public sealed class LoadOptions
{
    /// <summary>The measured window of each concurrency level.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Unmeasured calls at the same concurrency before each window: JIT tier-up, connections, activations.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Unmeasured calls once per target before any level, with <see cref="StartWarmUpCallers"/> callers: the first
    /// thousands of calls of a fresh client and server run partly unoptimized code (tiered JIT), and on a busy machine
    /// the background compiler needs seconds to catch up — far longer than one level's warm-up.
    /// </summary>
    public TimeSpan StartWarmUp { get; init; } = TimeSpan.FromSeconds(3);

    public int StartWarmUpCallers { get; init; } = 16;

    /// <summary>The concurrency levels: how many callers call at once, each waiting for its reply before the next call.</summary>
    public IReadOnlyList<int> CallerCounts { get; init; } = [1, 16, 64];

    /// <summary>Characters in each call's argument (and so in its reply).</summary>
    public int TextLength { get; init; } = 32;

    public void Validate()
    {
        if (Duration <= TimeSpan.Zero) throw new ArgumentException("the measured duration must be positive");
        if (WarmUp < TimeSpan.Zero || StartWarmUp < TimeSpan.Zero) throw new ArgumentException("a warm-up must not be negative");
        if (StartWarmUpCallers < 1) throw new ArgumentException("the start warm-up needs at least one caller");
        if (CallerCounts.Count == 0) throw new ArgumentException("at least one concurrency level is needed");
        foreach (var count in CallerCounts)
            if (count < 1) throw new ArgumentException($"a concurrency level of {count} callers makes no sense");
        if (TextLength < 8) throw new ArgumentException("the argument must be at least 8 characters, to tell callers and calls apart");
    }
}
