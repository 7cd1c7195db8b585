namespace Skein.Pipelines.Elements;

/// <summary>A statistic of a list of numbers: port <c>samples</c> in. An empty list, NaN or infinity fails the element.</summary>
public abstract class SampleStatistic : Element
{
    /// <summary>Port <c>samples</c>: the numbers (at least one; at least two for a spread).</summary>
    [Input] public IReadOnlyList<double> Samples { get; set; } = [];
}

/// <summary>The arithmetic mean of the samples: port <c>mean</c>.</summary>
public sealed class Mean : SampleStatistic
{
    /// <summary>Port <c>mean</c>.</summary>
    [Output("mean")] public double Value { get; private set; }

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Value = SampleMath.Mean(SampleMath.Checked(context, Samples));
        return ValueTask.CompletedTask;
    }
}

/// <summary>The median of the samples (the mean of the two middle ones for an even count): port <c>median</c>.</summary>
public sealed class Median : SampleStatistic
{
    /// <summary>Port <c>median</c>.</summary>
    [Output("median")] public double Value { get; private set; }

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Value = SampleMath.Percentile(SampleMath.Checked(context, Samples), 50);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The smallest sample: port <c>min</c>.</summary>
public sealed class Min : SampleStatistic
{
    /// <summary>Port <c>min</c>.</summary>
    [Output("min")] public double Value { get; private set; }

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Value = SampleMath.Checked(context, Samples).Min();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The largest sample: port <c>max</c>.</summary>
public sealed class Max : SampleStatistic
{
    /// <summary>Port <c>max</c>.</summary>
    [Output("max")] public double Value { get; private set; }

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Value = SampleMath.Checked(context, Samples).Max();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The sample standard deviation (n − 1 in the denominator; needs two samples): port <c>standard-deviation</c>.</summary>
public sealed class StandardDeviation : SampleStatistic
{
    /// <summary>Port <c>standard-deviation</c>.</summary>
    [Output("standard-deviation")] public double Value { get; private set; }

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Value = SampleMath.StandardDeviation(SampleMath.Checked(context, Samples, atLeast: 2));
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A percentile of the samples, by linear interpolation between the closest ranks (as R's and NumPy's default):
/// port <c>percentile</c>.
/// </summary>
/// <example><code>new Percentile(90)</code></example>
public sealed class Percentile : SampleStatistic
{
    /// <param name="percent">Which percentile, 0 to 100 (50: the median).</param>
    public Percentile(double percent)
    {
        SampleMath.CheckPercentile(percent);
        Percent = percent;
    }

    public double Percent { get; }

    /// <summary>Port <c>percentile</c>.</summary>
    [Output("percentile")] public double Value { get; private set; }

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Value = SampleMath.Percentile(SampleMath.Checked(context, Samples), Percent);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The confidence interval of the mean by Student's t distribution (mean ± t × s / √n, n − 1 degrees of freedom; needs
/// two samples): ports <c>mean</c>, <c>lower</c>, <c>upper</c> and <c>half-width</c>.
/// </summary>
/// <example><code>new ConfidenceInterval(0.99)</code></example>
public sealed class ConfidenceInterval : SampleStatistic
{
    /// <param name="level">The confidence level, between 0 and 1 (default 0.95).</param>
    public ConfidenceInterval(double level = 0.95)
    {
        SampleMath.CheckLevel(level);
        Level = level;
    }

    public double Level { get; }

    /// <summary>Port <c>mean</c>: the sample mean, the interval's centre.</summary>
    [Output] public double Mean { get; private set; }

    /// <summary>Port <c>lower</c>: the interval's lower bound.</summary>
    [Output] public double Lower { get; private set; }

    /// <summary>Port <c>upper</c>: the interval's upper bound.</summary>
    [Output] public double Upper { get; private set; }

    /// <summary>Port <c>half-width</c>: t × s / √n, what an error bar shows.</summary>
    [Output] public double HalfWidth { get; private set; }

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        var samples = SampleMath.Checked(context, Samples, atLeast: 2);
        Mean = SampleMath.Mean(samples);
        HalfWidth = SampleMath.HalfWidth(samples, Level);
        Lower = Mean - HalfWidth;
        Upper = Mean + HalfWidth;
        return ValueTask.CompletedTask;
    }
}
