using MathNet.Numerics.Distributions;

namespace Skein.Pipelines.Elements;

/// <summary>The arithmetic of the statistics elements, on checked samples.</summary>
internal static class SampleMath
{
    /// <summary>The samples, refused when there are fewer than <paramref name="atLeast"/> or one is not a finite number.</summary>
    public static IReadOnlyList<double> Checked(ElementContext context, IReadOnlyList<double>? samples, int atLeast = 1)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (samples is null || samples.Count < atLeast)
            throw new ElementFailedException(context.Element, $"samples has {samples?.Count ?? 0} value{((samples?.Count ?? 0) == 1 ? "" : "s")}; this needs at least {atLeast}");
        for (var i = 0; i < samples.Count; i++)
        {
            if (!double.IsFinite(samples[i])) throw new ElementFailedException(context.Element, $"sample {i + 1} of {samples.Count} is {samples[i]}, not a finite number");
        }
        return samples;
    }

    public static double Mean(IReadOnlyList<double> samples)
    {
        // Welford's running mean: no overflow of a large sum.
        var mean = 0.0;
        for (var i = 0; i < samples.Count; i++) mean += (samples[i] - mean) / (i + 1);
        return mean;
    }

    /// <summary>The sample standard deviation (n − 1 in the denominator); 0 for a single sample.</summary>
    public static double StandardDeviation(IReadOnlyList<double> samples)
    {
        if (samples.Count < 2) return 0;
        double mean = 0, squares = 0;
        for (var i = 0; i < samples.Count; i++)
        {
            var delta = samples[i] - mean;
            mean += delta / (i + 1);
            squares += delta * (samples[i] - mean);
        }
        return Math.Sqrt(squares / (samples.Count - 1));
    }

    /// <summary>
    /// The <paramref name="p"/>-th percentile (0 to 100) by linear interpolation between the closest ranks (Hyndman and
    /// Fan's type 7, as R's default, NumPy's default and Excel's PERCENTILE.INC).
    /// </summary>
    public static double Percentile(IReadOnlyList<double> samples, double p)
    {
        var sorted = samples.Order().ToArray();
        return PercentileOfSorted(sorted, p);
    }

    public static double PercentileOfSorted(double[] sorted, double p)
    {
        var rank = p / 100 * (sorted.Length - 1);
        var below = (int)Math.Floor(rank);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }

    /// <summary>The two-sided Student's t critical value for a confidence level (0.95) and degrees of freedom.</summary>
    public static double TCritical(double level, int degreesOfFreedom) => StudentT.InvCDF(0, 1, degreesOfFreedom, 1 - (1 - level) / 2);

    /// <summary>Half the width of the confidence interval of the mean: t × s / √n.</summary>
    public static double HalfWidth(IReadOnlyList<double> samples, double level) =>
        TCritical(level, samples.Count - 1) * StandardDeviation(samples) / Math.Sqrt(samples.Count);

    public static void CheckLevel(double level)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "a confidence level is between 0 and 1 (0.95 for 95 %)");
    }

    public static void CheckPercentile(double p)
    {
        if (!(p >= 0 && p <= 100)) throw new ArgumentOutOfRangeException(nameof(p), p, "a percentile is between 0 and 100");
    }
}
