namespace Skein.Pipelines.Elements;

/// <summary>The usual statistics of a list of samples, as one record (one row of a CSV or a Markdown table).</summary>
/// <param name="Label">What was measured (<see cref="Summarize.Label"/>): a bar's label, a table's first column.</param>
/// <param name="Count">How many samples.</param>
/// <param name="StandardDeviation">The sample standard deviation (n − 1); 0 for one sample.</param>
/// <param name="Confidence">The confidence level of <paramref name="Lower"/> and <paramref name="Upper"/> (0.95).</param>
/// <param name="Lower">The lower bound of the confidence interval of the mean (Student's t); the mean for one sample.</param>
/// <param name="Upper">The upper bound of the confidence interval of the mean; the mean for one sample.</param>
public sealed record Summary(string Label, int Count, double Mean, double Median, double Min, double Max, double StandardDeviation,
    double Confidence, double Lower, double Upper, double P25, double P75, double P95, double P99)
{
    /// <summary>Half the width of the confidence interval: what an error bar shows.</summary>
    public double HalfWidth => (Upper - Lower) / 2;

    /// <summary>The standard deviation over the mean (0 for a mean of 0).</summary>
    public double CoefficientOfVariation => Mean == 0 ? 0 : StandardDeviation / Math.Abs(Mean);
}

/// <summary>
/// Computes all the statistics of the samples into one <see cref="Summary"/>: count, mean, median, min, max,
/// standard deviation, the confidence interval of the mean and the 25th, 75th, 95th and 99th percentiles.
/// Port <c>samples</c> in, port <c>summary</c> out.
/// </summary>
/// <example><code>new Summarize { Label = "quicksort, n=10⁶", Confidence = 0.99 }</code></example>
public sealed class Summarize : SampleStatistic
{
    /// <summary>What was measured, copied into <see cref="Summary.Label"/> (default: the element's name).</summary>
    public string? Label { get; init; }

    /// <summary>The confidence level of the interval (default 0.95).</summary>
    public double Confidence
    {
        get;
        init
        {
            SampleMath.CheckLevel(value);
            field = value;
        }
    } = 0.95;

    /// <summary>Port <c>summary</c>.</summary>
    [Output] public Summary Summary { get; private set; } = null!;

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        var samples = SampleMath.Checked(context, Samples);
        var sorted = samples.Order().ToArray();
        var mean = SampleMath.Mean(samples);
        var halfWidth = samples.Count >= 2 ? SampleMath.HalfWidth(samples, Confidence) : 0;
        Summary = new Summary(Label ?? context.Element, samples.Count, mean, SampleMath.PercentileOfSorted(sorted, 50), sorted[0], sorted[^1],
            SampleMath.StandardDeviation(samples), Confidence, mean - halfWidth, mean + halfWidth,
            SampleMath.PercentileOfSorted(sorted, 25), SampleMath.PercentileOfSorted(sorted, 75),
            SampleMath.PercentileOfSorted(sorted, 95), SampleMath.PercentileOfSorted(sorted, 99));
        return ValueTask.CompletedTask;
    }
}
