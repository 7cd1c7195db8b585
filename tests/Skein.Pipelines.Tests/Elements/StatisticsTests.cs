using Skein.Pipelines.Elements;

namespace Skein.Pipelines.Tests.Elements;

public sealed class StatisticsTests : IDisposable
{
    private static readonly double[] Samples = [2, 4, 4, 4, 5, 5, 7, 9];

    private readonly ElementRun _run = new();

    public void Dispose() => _run.Dispose();

    [Fact]
    public async Task Mean_median_min_max_and_standard_deviation()
    {
        Assert.Equal(5, (await _run.RunAsync(new Mean { Samples = Samples })).Value);
        Assert.Equal(4.5, (await _run.RunAsync(new Median { Samples = Samples })).Value);
        Assert.Equal(3, (await _run.RunAsync(new Median { Samples = [5, 1, 3] })).Value);
        Assert.Equal(2, (await _run.RunAsync(new Min { Samples = Samples })).Value);
        Assert.Equal(9, (await _run.RunAsync(new Max { Samples = Samples })).Value);
        // Sum of squared deviations 32, n - 1 = 7.
        Assert.Equal(Math.Sqrt(32.0 / 7), (await _run.RunAsync(new StandardDeviation { Samples = Samples })).Value, 12);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(100, 9)]
    [InlineData(50, 4.5)]
    [InlineData(25, 4)]
    [InlineData(90, 7.6)]
    public async Task Percentiles_interpolate_between_the_closest_ranks(double percent, double expected)
    {
        Assert.Equal(expected, (await _run.RunAsync(new Percentile(percent) { Samples = Samples })).Value, 12);
    }

    // Two-sided critical values of Student's t, from the standard tables (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
    [Theory]
    [InlineData(0.95, 1, 12.706)]
    [InlineData(0.95, 4, 2.776)]
    [InlineData(0.95, 10, 2.228)]
    [InlineData(0.95, 30, 2.042)]
    [InlineData(0.99, 5, 4.032)]
    [InlineData(0.90, 20, 1.725)]
    [InlineData(0.999, 8, 5.041)]
    public void The_t_quantile_matches_the_tables(double level, int degreesOfFreedom, double expected)
    {
        Assert.Equal(expected, SampleMath.TCritical(level, degreesOfFreedom), 3);
    }

    [Fact]
    public async Task The_confidence_interval_of_the_mean_uses_Students_t()
    {
        var interval = await _run.RunAsync(new ConfidenceInterval(0.95) { Samples = [10, 12, 11, 13, 14] });

        // Mean 12, s = sqrt(2.5), t(0.975, 4) = 2.776445.
        var halfWidth = 2.776445105 * Math.Sqrt(2.5) / Math.Sqrt(5);
        Assert.Equal(12, interval.Mean, 12);
        Assert.Equal(halfWidth, interval.HalfWidth, 6);
        Assert.Equal(12 - halfWidth, interval.Lower, 6);
        Assert.Equal(12 + halfWidth, interval.Upper, 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConfidenceInterval(95));
    }

    [Fact]
    public async Task Too_few_samples_or_one_that_is_not_finite_fail_naming_it()
    {
        var empty = await _run.FailsAsync(new Mean { Samples = [] });
        var single = await _run.FailsAsync(new ConfidenceInterval { Samples = [1] });
        var nan = await _run.FailsAsync(new Median { Samples = [1, double.NaN] });

        Assert.Contains("samples has 0 values; this needs at least 1", empty.Message, StringComparison.Ordinal);
        Assert.Contains("samples has 1 value; this needs at least 2", single.Message, StringComparison.Ordinal);
        Assert.Contains("sample 2 of 2 is NaN, not a finite number", nan.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Steady_state_drops_the_warm_up_until_a_window_settles()
    {
        var steady = await _run.RunAsync(new SteadyState(window: 3, threshold: 0.02) { Samples = [9, 5, 3.2, 2.01, 2.0, 1.99, 2.02, 2.0] });

        Assert.Equal(3, steady.Dropped);
        Assert.Equal([2.01, 2.0, 1.99, 2.02, 2.0], steady.Steady);
    }

    [Fact]
    public async Task Samples_steady_from_the_start_lose_nothing()
    {
        var steady = await _run.RunAsync(new SteadyState(window: 2, threshold: 0.05) { Samples = [1, 1.01, 5] });

        Assert.Equal(0, steady.Dropped);
        Assert.Equal([1, 1.01, 5], steady.Steady);
    }

    [Fact]
    public async Task Samples_that_never_settle_fail_unless_kept()
    {
        double[] noisy = [1, 2, 1, 2, 1];

        var failure = await _run.FailsAsync(new SteadyState(window: 3, threshold: 0.05) { Samples = noisy });
        var kept = await _run.RunAsync(new SteadyState(window: 3, threshold: 0.05) { Samples = noisy, KeepUnsteady = true });

        Assert.Contains("the 5 samples never settle: the lowest coefficient of variation of 3 consecutive samples is 0.3464", failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, kept.Dropped);
        Assert.Equal([1.0, 2, 1], kept.Steady);
        Assert.Contains("keeping the last 3", _run.Log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Summarize_computes_every_statistic_into_one_record()
    {
        var summary = (await _run.RunAsync(new Summarize { Label = "quicksort", Samples = Samples })).Summary;

        Assert.Equal("quicksort", summary.Label);
        Assert.Equal(8, summary.Count);
        Assert.Equal(5, summary.Mean);
        Assert.Equal(4.5, summary.Median);
        Assert.Equal(2, summary.Min);
        Assert.Equal(9, summary.Max);
        Assert.Equal(Math.Sqrt(32.0 / 7), summary.StandardDeviation, 12);
        var halfWidth = SampleMath.TCritical(0.95, 7) * Math.Sqrt(32.0 / 7) / Math.Sqrt(8);
        Assert.Equal(5 - halfWidth, summary.Lower, 12);
        Assert.Equal(5 + halfWidth, summary.Upper, 12);
        Assert.Equal(halfWidth, summary.HalfWidth, 12);
        Assert.Equal(4, summary.P25);
        Assert.Equal(5.5, summary.P75);
        Assert.Equal(0.95, summary.Confidence);
    }

    [Fact]
    public async Task A_summary_of_one_sample_has_no_spread_and_takes_the_elements_name_as_label()
    {
        var summary = (await _run.RunAsync(new Summarize { Samples = [3] })).Summary;

        Assert.Equal("element-under-test", summary.Label);
        Assert.Equal(0, summary.StandardDeviation);
        Assert.Equal(3, summary.Lower);
        Assert.Equal(3, summary.Upper);
    }
}
