using System.Text.Json;
using Skein.Pipelines.Elements;

namespace Skein.Pipelines.Tests.Elements;

public sealed class WriterTests : IDisposable
{
    private static readonly Summary[] Summaries =
    [
        new("quick, \"sort\"", 5, 1.25, 1.2, 1.1, 1.5, 0.1, 0.95, 1.13, 1.37, 1.15, 1.3, 1.45, 1.49),
        new("merge|sort", 5, 2.5, 2.5, 2.4, 2.6, 0.05, 0.95, 2.44, 2.56, 2.45, 2.55, 2.59, 2.598),
    ];

    private readonly ElementRun _run = new();

    public void Dispose() => _run.Dispose();

    [Fact]
    public async Task CSV_has_a_header_of_the_record_properties_and_quotes_what_needs_it()
    {
        var writer = await _run.RunAsync(new WriteCsv<Summary>("out/summary.csv") { Rows = Summaries });

        Assert.Equal(Path.Combine(_run.Directory, "out", "summary.csv"), writer.Path);
        var lines = await File.ReadAllLinesAsync(writer.Path, ElementRun.Ct);
        Assert.Equal("Label,Count,Mean,Median,Min,Max,StandardDeviation,Confidence,Lower,Upper,P25,P75,P95,P99,HalfWidth,CoefficientOfVariation", lines[0]);
        Assert.StartsWith("\"quick, \"\"sort\"\"\",5,1.25,1.2,", lines[1], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);

        // What was written reads back through the CSV parser, quoted field and all.
        var text = await File.ReadAllTextAsync(writer.Path, ElementRun.Ct);
        var labels = await _run.RunAsync(new ParseCsv<string>("Label") { Text = text });
        var means = await _run.RunAsync(new ParseCsv<double>("Mean") { Text = text });
        Assert.Equal(["quick, \"sort\"", "merge|sort"], labels.Values);
        Assert.Equal([1.25, 2.5], means.Values);
    }

    [Fact]
    public async Task A_list_of_numbers_is_one_column_named_value()
    {
        var writer = await _run.RunAsync(new WriteCsv<double>("times.csv") { Rows = [0.1, 1e-7, 3] });

        Assert.Equal(["value", "0.1", "1E-07", "3"], await File.ReadAllLinesAsync(writer.Path, ElementRun.Ct));
    }

    [Fact]
    public async Task JSON_is_written_indented_and_reads_back()
    {
        var writer = await _run.RunAsync(new WriteJson<IReadOnlyList<Summary>>("summary.json") { Value = Summaries });

        var text = await File.ReadAllTextAsync(writer.Path, ElementRun.Ct);
        Assert.Contains("\n  {", text, StringComparison.Ordinal);
        Assert.Equal(Summaries, JsonSerializer.Deserialize<Summary[]>(text));
    }

    [Fact]
    public async Task The_Markdown_table_has_a_heading_right_aligned_numbers_and_escaped_pipes()
    {
        var writer = await _run.RunAsync(new WriteMarkdown<Summary>("report.md") { Title = "Sorting", NumberFormat = "0.00", Rows = Summaries });

        var lines = (await File.ReadAllTextAsync(writer.Path, ElementRun.Ct)).Split('\n');
        Assert.Equal(writer.Markdown, await File.ReadAllTextAsync(writer.Path, ElementRun.Ct));
        Assert.Equal("# Sorting", lines[0]);
        Assert.Equal("", lines[1]);
        Assert.StartsWith("| Label | Count | Mean | Median |", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("| --- | ---: | ---: | ---: |", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("| quick, \"sort\" | 5 | 1.25 | 1.20 |", lines[4], StringComparison.Ordinal);
        Assert.StartsWith("| merge\\|sort | 5 | 2.50 |", lines[5], StringComparison.Ordinal);
    }
}
