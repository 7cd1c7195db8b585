using System.Globalization;

namespace Skein.Pipelines.Elements;

/// <summary>
/// Drops the warm-up iterations of a benchmark: the samples before the first window of <see cref="Window"/>
/// consecutive samples whose coefficient of variation (standard deviation / mean) is at most <see cref="Threshold"/>.
/// Port <c>samples</c> in; ports <c>samples</c> (the steady samples, from that window on) and <c>dropped</c> (how
/// many were dropped) out. Samples that never settle fail the element, naming the lowest variation seen, unless
/// <see cref="KeepUnsteady"/>.
/// </summary>
/// <example><code>new SteadyState(window: 3, threshold: 0.02)</code></example>
public sealed class SteadyState : Element
{
    /// <param name="window">How many consecutive samples must agree (at least 2).</param>
    /// <param name="threshold">The largest coefficient of variation of a steady window (0.05: 5 %).</param>
    public SteadyState(int window = 3, double threshold = 0.05)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        if (!(threshold > 0)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "the threshold is a positive coefficient of variation (0.05 for 5 %)");
        Window = window;
        Threshold = threshold;
    }

    public int Window { get; }

    public double Threshold { get; }

    /// <summary>When the samples never settle: keep the last window (and say so in the log) instead of failing.</summary>
    public bool KeepUnsteady { get; init; }

    /// <summary>Port <c>samples</c> (input): the samples in the order they were measured.</summary>
    [Input("samples")] public IReadOnlyList<double> Samples { get; set; } = [];

    /// <summary>Port <c>samples</c> (output): the samples from the first steady window on.</summary>
    [Output("samples")] public IReadOnlyList<double> Steady { get; private set; } = [];

    /// <summary>Port <c>dropped</c>: how many samples of warm-up were dropped.</summary>
    [Output] public int Dropped { get; private set; }

    public override async ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        var samples = SampleMath.Checked(context, Samples, atLeast: Window);
        var values = samples.ToArray();
        var lowest = double.PositiveInfinity;
        for (var start = 0; start + Window <= samples.Count; start++)
        {
            var window = new ArraySegment<double>(values, start, Window);
            var variation = Variation(window);
            lowest = Math.Min(lowest, variation);
            if (variation <= Threshold)
            {
                Keep(samples, start);
                return;
            }
        }
        var message = string.Create(CultureInfo.InvariantCulture,
            $"the {samples.Count} samples never settle: the lowest coefficient of variation of {Window} consecutive samples is {lowest:0.####}, above the threshold {Threshold}");
        if (!KeepUnsteady) throw new ElementFailedException(context.Element, message);
        await context.Log.WriteLineAsync($"{message}; keeping the last {Window}").ConfigureAwait(false);
        Keep(samples, samples.Count - Window);
    }

    private void Keep(IReadOnlyList<double> samples, int start)
    {
        Dropped = start;
        Steady = [.. samples.Skip(start)];
    }

    /// <summary>Standard deviation over mean; a window of zeros is steady, a mean of zero otherwise is not.</summary>
    private static double Variation(IReadOnlyList<double> window)
    {
        var mean = SampleMath.Mean(window);
        var deviation = SampleMath.StandardDeviation(window);
        if (deviation == 0) return 0;
        return mean == 0 ? double.PositiveInfinity : deviation / Math.Abs(mean);
    }
}
