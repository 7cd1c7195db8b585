using System.Diagnostics;

namespace Skein.Bench;

/// <summary>Timing helpers shared by the scenarios.</summary>
internal static class Measure
{
    /// <summary>
    /// Settles the heap so a repetition does not pay for the garbage of the one before. The last wait matters too:
    /// a full collection queues the runtime's own clean-up work (trimming array pools) on the finalizer thread,
    /// which would otherwise run during the next measurement.
    /// </summary>
    public static void Quiesce()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    /// <summary>How long the warm-up of a scenario lasts at least: long enough for the JIT to finish tiering up.</summary>
    public static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="once"/> at least once and until <see cref="WarmUpTime"/> has passed; returns the first run.</summary>
    public static async Task<T> WarmUpAsync<T>(Func<Task<T>> once)
    {
        var start = Timestamp();
        var first = await once().ConfigureAwait(false);
        while (Since(start) < WarmUpTime) await once().ConfigureAwait(false);
        return first;
    }

    /// <summary>Runs <paramref name="once"/> <paramref name="repetitions"/> times and returns the samples, fastest first.</summary>
    public static async Task<List<T>> RepeatAsync<T>(int repetitions, Func<Task<T>> once) where T : ISample
    {
        var samples = new List<T>(repetitions);
        for (var i = 0; i < repetitions; i++)
        {
            Quiesce();
            samples.Add(await once().ConfigureAwait(false));
        }
        samples.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));
        return samples;
    }

    /// <summary>The median of samples sorted fastest first (the slower middle one for an even count).</summary>
    public static T Median<T>(List<T> sortedSamples) => sortedSamples[sortedSamples.Count / 2];

    /// <summary>"median of 5 (min–max)" for the note column, so a reader sees the spread behind a figure.</summary>
    public static string Spread<T>(List<T> sortedSamples, long count) where T : ISample
    {
        if (sortedSamples.Count == 1) return "1 run";
        var fastest = count / sortedSamples[0].Elapsed.TotalSeconds;
        var slowest = count / sortedSamples[^1].Elapsed.TotalSeconds;
        return $"median of {sortedSamples.Count} ({Reporting.Format.Number(slowest, "N0")}–{Reporting.Format.Number(fastest, "N0")}/s)";
    }

    public static long Timestamp() => Stopwatch.GetTimestamp();

    public static TimeSpan Since(long timestamp) => Stopwatch.GetElapsedTime(timestamp);
}

/// <summary>One measured repetition.</summary>
internal interface ISample
{
    TimeSpan Elapsed { get; }
}
