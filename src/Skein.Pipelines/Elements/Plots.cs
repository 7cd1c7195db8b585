using ScottPlot;

namespace Skein.Pipelines.Elements;

/// <summary>
/// A chart drawn with ScottPlot and saved as PNG or SVG (the file name's extension says which). Port <c>path</c>
/// (the file's full path) out; the inputs depend on the kind of chart.
/// </summary>
public abstract class PlotElement : Element
{
    /// <summary>
    /// A sans-serif font installed here, for every label: ScottPlot's own guess needs fontconfig, which its bundled
    /// Skia build does without, and falls back to whatever font it finds first (often a serif one).
    /// </summary>
    private static readonly Lazy<string> SansFont = new(() =>
        new[] { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Open Sans", "Arial", "Helvetica", "Segoe UI" }.FirstOrDefault(Installed) ?? Fonts.Sans);

    /// <param name="path">The file to write, ending in .png or .svg; a relative path is taken from the element's directory.</param>
    protected PlotElement(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (extension is not ".png" and not ".svg") throw new ArgumentException($"a chart is written as .png or .svg, not \"{path}\"", nameof(path));
        FilePath = path;
    }

    public string FilePath { get; }

    private static bool Installed(string family)
    {
        using var typeface = SkiaSharp.SKFontManager.Default.MatchFamily(family);
        return typeface is not null;
    }

    /// <summary>The title above the chart, or null for none.</summary>
    public string? Title { get; init; }

    /// <summary>The label of the horizontal axis, or null for none.</summary>
    public string? XLabel { get; init; }

    /// <summary>The label of the vertical axis, or null for none.</summary>
    public string? YLabel { get; init; }

    /// <summary>The image's width in pixels (default 800).</summary>
    public int Width { get; init; } = 800;

    /// <summary>The image's height in pixels (default 500).</summary>
    public int Height { get; init; } = 500;

    /// <summary>Port <c>path</c>: the full path of the image written.</summary>
    [Output] public string Path { get; private set; } = "";

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Width is < 16 or > 10_000 || Height is < 16 or > 10_000)
            throw new ElementFailedException(context.Element, $"a chart of {Width}×{Height} pixels: each side is 16 to 10000");
        using var plot = Render(context);
        var path = OutputFiles.Prepare(context, FilePath);
        if (path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase)) plot.SaveSvg(path, Width, Height);
        else plot.SavePng(path, Width, Height);
        Path = path;
        return ValueTask.CompletedTask;
    }

    /// <summary>The chart, drawn and labelled but not saved (the caller disposes it): what is written, for tests to inspect.</summary>
    internal Plot Render(ElementContext context)
    {
        var plot = new Plot();
        try
        {
            Draw(plot, context);
            if (Title is not null) plot.Title(Title);
            if (XLabel is not null) plot.XLabel(XLabel);
            if (YLabel is not null) plot.YLabel(YLabel);
            plot.Font.Set(SansFont.Value);
            plot.Axes.Title.Label.Bold = true;
            return plot;
        }
        catch
        {
            plot.Dispose();
            throw;
        }
    }

    /// <summary>Adds the chart's data to <paramref name="plot"/>, after checking the inputs.</summary>
    protected abstract void Draw(Plot plot, ElementContext context);

    /// <summary>Refuses a list that is empty or holds a value that is not a finite number, naming the port.</summary>
    protected static double[] Finite(ElementContext context, string port, IReadOnlyList<double>? values)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (values is null || values.Count == 0) throw new ElementFailedException(context.Element, $"{port} is empty: there is nothing to draw");
        for (var i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i])) throw new ElementFailedException(context.Element, $"{port}[{i}] is {values[i]}, not a finite number");
        }
        return [.. values];
    }

    protected static void SameLength(ElementContext context, string first, int firstCount, string second, int secondCount)
    {
        if (firstCount != secondCount)
            throw new ElementFailedException(context.Element, $"{first} has {firstCount} values and {second} has {secondCount}: they go in pairs");
    }
}

/// <summary>
/// A bar chart with error bars: one bar per label, its height a value, its error bar ± an error (a confidence
/// interval's half-width, say). Ports <c>labels</c>, <c>values</c> and (optional) <c>errors</c> — or port
/// <c>summaries</c> alone (label, mean, and the confidence interval's half-width of each <see cref="Summary"/>).
/// </summary>
/// <example><code>new BarChart("chart.svg") { Title = "Run time", YLabel = "seconds (mean, 95 % CI)" }</code></example>
public sealed class BarChart(string path) : PlotElement(path)
{
    /// <summary>Room beyond the end of a bar or whisker away from zero, as a share of the span drawn.</summary>
    private const double Headroom = 0.08;

    /// <summary>Port <c>labels</c> (optional): a label under each bar.</summary>
    [Input(Optional = true)] public IReadOnlyList<string>? Labels { get; set; }

    /// <summary>Port <c>values</c> (optional): each bar's height.</summary>
    [Input(Optional = true)] public IReadOnlyList<double>? Values { get; set; }

    /// <summary>Port <c>errors</c> (optional): each bar's error, drawn as ± that much.</summary>
    [Input(Optional = true)] public IReadOnlyList<double>? Errors { get; set; }

    /// <summary>Port <c>summaries</c> (optional): instead of the three above, a bar per summary: its label, its mean ± its interval's half-width.</summary>
    [Input(Optional = true)] public IReadOnlyList<Summary>? Summaries { get; set; }

    protected override void Draw(Plot plot, ElementContext context)
    {
        IReadOnlyList<string> labels;
        double[] values;
        double[]? errors;
        if (Summaries is not null)
        {
            if (Labels is not null || Values is not null || Errors is not null)
                throw new ElementFailedException(context.Element, "summaries is wired together with labels, values or errors: wire one or the other");
            labels = [.. Summaries.Select(s => s.Label)];
            values = Finite(context, "summaries", [.. Summaries.Select(s => s.Mean)]);
            errors = Finite(context, "summaries", [.. Summaries.Select(s => s.HalfWidth)]);
        }
        else
        {
            values = Finite(context, "values", Values);
            labels = Labels ?? [.. Enumerable.Range(1, values.Length).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
            SameLength(context, "labels", labels.Count, "values", values.Length);
            errors = Errors is null ? null : Finite(context, "errors", Errors);
            if (errors is not null) SameLength(context, "errors", errors.Length, "values", values.Length);
        }

        var bars = values.Select((value, i) => new Bar
        {
            Position = i,
            Value = value,
            Error = errors?[i] ?? 0,
            FillColor = Colors.SteelBlue,
        }).ToList();
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, values.Length).Select(i => (double)i)], [.. labels]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.HideGrid();
        var (bottom, top) = VerticalLimits(values, errors);
        plot.Axes.SetLimitsY(bottom, top);
    }

    /// <summary>
    /// The vertical axis's limits: zero, every bar and every whole error bar, with a little room beyond a whisker's
    /// end — none on a side where zero is the limit, so that bars stand on the axis (a whisker reaching below zero
    /// moves the axis down, rather than being drawn over the labels under it).
    /// </summary>
    internal static (double Bottom, double Top) VerticalLimits(double[] values, double[]? errors)
    {
        double low = 0, high = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var error = Math.Abs(errors?[i] ?? 0);
            low = Math.Min(low, values[i] - error);
            high = Math.Max(high, values[i] + error);
        }
        var span = high - low;
        if (span == 0) return (0, 1);
        return (low < 0 ? low - Headroom * span : 0, high > 0 ? high + Headroom * span : 0);
    }
}

/// <summary>A line chart: ports <c>y</c> and (optional) <c>x</c> (default 1, 2, 3…), points joined in order.</summary>
/// <example><code>new LineChart("iterations.png") { XLabel = "iteration", YLabel = "seconds" }</code></example>
public sealed class LineChart(string path) : PlotElement(path)
{
    /// <summary>Port <c>x</c> (optional): the horizontal positions; default 1, 2, 3… (an iteration number).</summary>
    [Input(Optional = true)] public IReadOnlyList<double>? X { get; set; }

    /// <summary>Port <c>y</c>: the values.</summary>
    [Input] public IReadOnlyList<double> Y { get; set; } = [];

    /// <summary>The line's name in a legend, or null for no legend.</summary>
    public string? Legend { get; init; }

    protected override void Draw(Plot plot, ElementContext context)
    {
        var ys = Finite(context, "y", Y);
        var xs = X is null ? [.. Enumerable.Range(1, ys.Length).Select(i => (double)i)] : Finite(context, "x", X);
        SameLength(context, "x", xs.Length, "y", ys.Length);
        // Iterations are counted: no ticks between them.
        if (X is null) plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        var line = plot.Add.Scatter(xs, ys);
        line.MarkerSize = 6;
        line.LineWidth = 2;
        if (Legend is not null)
        {
            line.LegendText = Legend;
            plot.ShowLegend();
        }
    }
}

/// <summary>A scatter plot: ports <c>x</c> and <c>y</c>, one marker per pair, not joined.</summary>
/// <example><code>new ScatterPlot("size-vs-time.svg") { XLabel = "input size", YLabel = "seconds" }</code></example>
public sealed class ScatterPlot(string path) : PlotElement(path)
{
    /// <summary>Port <c>x</c>: the horizontal positions.</summary>
    [Input] public IReadOnlyList<double> X { get; set; } = [];

    /// <summary>Port <c>y</c>: the vertical positions, one per x.</summary>
    [Input] public IReadOnlyList<double> Y { get; set; } = [];

    protected override void Draw(Plot plot, ElementContext context)
    {
        var xs = Finite(context, "x", X);
        var ys = Finite(context, "y", Y);
        SameLength(context, "x", xs.Length, "y", ys.Length);
        var points = plot.Add.ScatterPoints(xs, ys);
        points.MarkerSize = 8;
    }
}

/// <summary>
/// A histogram of the samples: port <c>samples</c>, counted in <see cref="Bins"/> bins of equal width between the
/// smallest and the largest sample (default: Sturges' rule, ⌈log₂ n⌉ + 1).
/// </summary>
/// <example><code>new Histogram("distribution.png") { Bins = 20, XLabel = "seconds" }</code></example>
public sealed class Histogram(string path) : PlotElement(path)
{
    /// <summary>How many bins, 1 to 10000; null for Sturges' rule.</summary>
    public int? Bins { get; init; }

    /// <summary>Port <c>samples</c>: the values to count.</summary>
    [Input] public IReadOnlyList<double> Samples { get; set; } = [];

    protected override void Draw(Plot plot, ElementContext context)
    {
        var samples = Finite(context, "samples", Samples);
        var count = Bins ?? (int)Math.Ceiling(Math.Log2(samples.Length)) + 1;
        if (count is < 1 or > 10_000) throw new ElementFailedException(context.Element, $"{count} bins: a histogram has 1 to 10000");
        var (counts, low, width) = Count(samples, count);
        var bars = counts.Select((n, i) => new Bar
        {
            Position = low + (i + 0.5) * width,
            Value = n,
            Size = width,
            FillColor = Colors.SteelBlue,
            LineColor = Colors.White,
            LineWidth = 1,
        }).ToList();
        plot.Add.Bars(bars);
        plot.Axes.Margins(bottom: 0);
        if (YLabel is null) plot.YLabel("count");
    }

    /// <summary>Counts per bin; the largest sample falls in the last bin; all samples equal make one bin of width 1.</summary>
    internal static (int[] Counts, double Low, double Width) Count(double[] samples, int bins)
    {
        var low = samples.Min();
        var high = samples.Max();
        var width = high > low ? (high - low) / bins : 1;
        if (high == low) low -= 0.5 * bins;
        var counts = new int[bins];
        foreach (var sample in samples) counts[Math.Clamp((int)((sample - low) / width), 0, bins - 1)]++;
        return (counts, low, width);
    }
}
