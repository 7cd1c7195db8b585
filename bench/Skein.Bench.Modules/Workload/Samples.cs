namespace Skein.Bench.Modules.Workload;

/// <summary>Durations of one operation over the measured rounds.</summary>
internal sealed class Samples
{
    private readonly List<TimeSpan> _values = [];

    public int Count => _values.Count;

    public void Add(TimeSpan value) => _values.Add(value);

    /// <summary>The latest sample, for progress lines.</summary>
    public TimeSpan Last => _values.Count == 0 ? TimeSpan.Zero : _values[^1];

    /// <summary>The middle sample, or the mean of the middle two.</summary>
    public TimeSpan Median
    {
        get
        {
            if (_values.Count == 0) return TimeSpan.Zero;
            var sorted = _values.Order().ToList();
            var middle = sorted.Count / 2;
            return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }

    public TimeSpan P90 => Percentile(90);

    public TimeSpan Min => _values.Count == 0 ? TimeSpan.Zero : _values.Min();

    public TimeSpan Max => _values.Count == 0 ? TimeSpan.Zero : _values.Max();

    /// <summary>Nearest rank: the smallest sample with at least <paramref name="percent"/>% of the samples at or below it.</summary>
    public TimeSpan Percentile(double percent)
    {
        if (_values.Count == 0) return TimeSpan.Zero;
        var sorted = _values.Order().ToList();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
