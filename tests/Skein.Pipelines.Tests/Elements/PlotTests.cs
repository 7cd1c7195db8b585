using Skein.Pipelines.Elements;

namespace Skein.Pipelines.Tests.Elements;

/// <summary>
/// Every chart drawn as PNG and SVG. Set SKEIN_TEST_CHARTS to a directory to keep a copy of each image there, to look
/// at them (a test can check the file, not that the bars and labels are where they belong).
/// </summary>
public sealed class PlotTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly ElementRun _run = new();

    public void Dispose() => _run.Dispose();

    [Theory]
    [InlineData("png")]
    [InlineData("svg")]
    public async Task A_bar_chart_with_error_bars_from_labels_values_and_errors(string format)
    {
        var chart = await _run.RunAsync(new BarChart($"charts/bars.{format}")
        {
            Title = "Sorting 10⁶ integers",
            YLabel = "seconds (mean, 95 % CI)",
            Labels = ["quicksort", "mergesort", "heapsort"],
            Values = [1.25, 1.6, 2.1],
            Errors = [0.12, 0.3, 0.05],
        });

        await AssertImageAsync(chart.Path, format, "Sorting 10⁶ integers", "mergesort");
    }

    [Fact]
    public async Task A_bar_chart_from_summaries_shows_their_means_and_intervals()
    {
        var summaries = new[]
        {
            new Summary("java -Xint", 5, 4.2, 4.1, 3.9, 4.6, 0.3, 0.95, 3.83, 4.57, 4, 4.4, 4.55, 4.59),
            new Summary("java (JIT)", 5, 1.1, 1.1, 1.0, 1.2, 0.08, 0.95, 1.0, 1.2, 1.05, 1.15, 1.19, 1.2),
        };

        var chart = await _run.RunAsync(new BarChart("summaries.png") { Title = "Run time", YLabel = "seconds", Summaries = summaries });

        await AssertImageAsync(chart.Path, "png");
    }

    [Fact]
    public async Task A_bar_chart_axis_holds_every_whole_error_bar_even_below_zero()
    {
        // Every value is above zero, but the first bar's whisker reaches down to -0.5: the axis must go below it, not
        // stop at zero with the whisker drawn over the labels.
        var chart = new BarChart("below-zero.png") { Title = "Noisy", Labels = ["wide", "narrow"], Values = [1, 2], Errors = [1.5, 0.1] };

        using (var plot = chart.Render(_run.Context))
        {
            plot.RenderInMemory(chart.Width, chart.Height);
            var limits = plot.Axes.GetLimits();
            Assert.True(limits.Bottom < -0.5, $"the axis starts at {limits.Bottom}, above the lowest whisker's end (-0.5)");
            Assert.True(limits.Top > 2.5, $"the axis ends at {limits.Top}, below the highest whisker's end (2.5)");
        }
        // Bars that stand on zero, whiskers and all, keep the axis at zero.
        Assert.Equal(0, BarChart.VerticalLimits([1, 2], [0.5, 0.1]).Bottom);
        Assert.Equal(0, BarChart.VerticalLimits([-1, -2], [0.5, 0.1]).Top);

        await AssertImageAsync((await _run.RunAsync(chart)).Path, "png");
    }

    [Theory]
    [InlineData("png")]
    [InlineData("svg")]
    public async Task A_line_chart_numbers_the_points_when_no_x_is_given(string format)
    {
        var chart = await _run.RunAsync(new LineChart($"line.{format}")
        {
            Title = "Warm-up", XLabel = "iteration", YLabel = "seconds", Legend = "quicksort",
            Y = [9, 5, 3.2, 2.01, 2.0, 1.99, 2.02, 2.0],
        });

        await AssertImageAsync(chart.Path, format, "Warm-up", "iteration");
    }

    [Theory]
    [InlineData("png")]
    [InlineData("svg")]
    public async Task A_scatter_plot_of_pairs(string format)
    {
        var chart = await _run.RunAsync(new ScatterPlot($"scatter.{format}")
        {
            Title = "Size against time", XLabel = "items (millions)", YLabel = "seconds",
            X = [1, 2, 4, 8, 16], Y = [0.11, 0.23, 0.5, 1.1, 2.3],
        });

        await AssertImageAsync(chart.Path, format, "Size against time");
    }

    [Theory]
    [InlineData("png")]
    [InlineData("svg")]
    public async Task A_histogram_counts_the_samples_in_bins(string format)
    {
        var samples = Enumerable.Range(0, 200).Select(i => 10 + 3 * Math.Sin(i * 12.9898) * Math.Cos(i * 78.233)).ToArray();

        var chart = await _run.RunAsync(new Histogram($"histogram.{format}") { Title = "Distribution", XLabel = "milliseconds", Bins = 12, Samples = samples });

        await AssertImageAsync(chart.Path, format, "Distribution", "count");
    }

    [Fact]
    public void Histogram_bins_are_equal_and_the_largest_sample_is_in_the_last()
    {
        var (counts, low, width) = Histogram.Count([1, 2, 2, 3, 4, 5], 4);

        Assert.Equal([1, 2, 1, 2], counts);
        Assert.Equal(1, low);
        Assert.Equal(1, width);
        Assert.Equal([3], Histogram.Count([7, 7, 7], 1).Counts);
    }

    [Fact]
    public async Task Inputs_that_do_not_fit_fail_naming_the_port()
    {
        var lengths = await _run.FailsAsync(new BarChart("a.png") { Labels = ["a", "b"], Values = [1] });
        var errors = await _run.FailsAsync(new BarChart("a.png") { Values = [1, 2], Errors = [1] });
        var nothing = await _run.FailsAsync(new BarChart("a.png"));
        var both = await _run.FailsAsync(new BarChart("a.png") { Values = [1], Summaries = [] });
        var nan = await _run.FailsAsync(new ScatterPlot("a.svg") { X = [1, double.NaN], Y = [1, 2] });

        Assert.Contains("labels has 2 values and values has 1", lengths.Message, StringComparison.Ordinal);
        Assert.Contains("errors has 1 values and values has 2", errors.Message, StringComparison.Ordinal);
        Assert.Contains("values is empty: there is nothing to draw", nothing.Message, StringComparison.Ordinal);
        Assert.Contains("summaries is wired together with labels, values or errors", both.Message, StringComparison.Ordinal);
        Assert.Contains("x[1] is NaN, not a finite number", nan.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new LineChart("chart.jpg"));
    }

    private static async Task AssertImageAsync(string path, string format, params string[] texts)
    {
        Assert.True(File.Exists(path), $"{path} was written");
        var bytes = await File.ReadAllBytesAsync(path, ElementRun.Ct);
        if (format == "png")
        {
            Assert.Equal(PngSignature, bytes[..8]);
            // IHDR: width and height, big-endian, right after the signature and the chunk's length and type.
            Assert.Equal(800, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
            Assert.Equal(500, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        }
        else
        {
            var svg = System.Text.Encoding.UTF8.GetString(bytes);
            Assert.Contains("<svg", svg, StringComparison.Ordinal);
            foreach (var text in texts) Assert.Contains(text, svg, StringComparison.Ordinal);
        }
        var keep = Environment.GetEnvironmentVariable("SKEIN_TEST_CHARTS");
        if (!string.IsNullOrEmpty(keep))
        {
            Directory.CreateDirectory(keep);
            File.Copy(path, Path.Combine(keep, Path.GetFileName(path)), overwrite: true);
        }
    }
}
