using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsvHelper;

namespace Skein.Pipelines.Elements;

/// <summary>
/// Writes a list of rows as a CSV file (RFC 4180, invariant culture, a header line): a record's public properties
/// of simple types are its columns; a list of numbers or texts is one column, <c>value</c>. Port <c>rows</c> in, port
/// <c>path</c> (the file's full path) out.
/// </summary>
/// <example><code>new WriteCsv&lt;Summary&gt;("results/summary.csv")</code></example>
public sealed class WriteCsv<T> : Element
    where T : notnull
{
    /// <param name="path">The file to write; a relative path is taken from the element's directory.</param>
    public WriteCsv(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath = path;
    }

    public string FilePath { get; }

    /// <summary>Port <c>rows</c>: the rows, one line each.</summary>
    [Input] public IReadOnlyList<T> Rows { get; set; } = [];

    /// <summary>Port <c>path</c>: the full path of the file written.</summary>
    [Output] public string Path { get; private set; } = "";

    public override async ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var columns = TableColumns<T>.Instance;
        var path = OutputFiles.Prepare(context, FilePath);
        var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        await using (writer.ConfigureAwait(false))
        {
            var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
            await using (csv.ConfigureAwait(false))
            {
                foreach (var name in columns.Names) csv.WriteField(name);
                await csv.NextRecordAsync().ConfigureAwait(false);
                foreach (var row in Rows)
                {
                    foreach (var value in columns.Values(row)) csv.WriteField(TableColumns<T>.Format(value, null));
                    await csv.NextRecordAsync().ConfigureAwait(false);
                }
            }
        }
        Path = path;
    }
}

/// <summary>
/// Writes a value as an indented JSON file (System.Text.Json; enums as names, NaN and infinities as strings).
/// Port <c>value</c> in, port <c>path</c> (the file's full path) out.
/// </summary>
/// <example><code>new WriteJson&lt;IReadOnlyList&lt;Summary&gt;&gt;("results/summary.json")</code></example>
public sealed class WriteJson<T> : Element
    where T : notnull
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <param name="path">The file to write; a relative path is taken from the element's directory.</param>
    public WriteJson(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath = path;
    }

    public string FilePath { get; }

    /// <summary>Port <c>value</c>: what to write.</summary>
    [Input] public T Value { get; set; } = default!;

    /// <summary>Port <c>path</c>: the full path of the file written.</summary>
    [Output] public string Path { get; private set; } = "";

    public override async ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = OutputFiles.Prepare(context, FilePath);
        var file = File.Create(path);
        await using (file.ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(file, Value, Options, cancellationToken).ConfigureAwait(false);
        }
        Path = path;
    }
}

/// <summary>
/// Writes a list of rows as a Markdown table (GitHub-flavoured: a header row, numbers right-aligned), under an
/// optional heading. Columns as for <see cref="WriteCsv{T}"/>. Port <c>rows</c> in; ports <c>path</c> (the file's full
/// path) and <c>markdown</c> (the text written) out.
/// </summary>
/// <example><code>new WriteMarkdown&lt;Summary&gt;("report.md") { Title = "Sorting, 10⁶ items", NumberFormat = "0.000" }</code></example>
public sealed class WriteMarkdown<T> : Element
    where T : notnull
{
    /// <param name="path">The file to write; a relative path is taken from the element's directory.</param>
    public WriteMarkdown(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath = path;
    }

    public string FilePath { get; }

    /// <summary>A heading above the table, or null for none.</summary>
    public string? Title { get; init; }

    /// <summary>How numbers are written (a .NET format string, invariant culture; default <c>G6</c>).</summary>
    public string NumberFormat { get; init; } = "G6";

    /// <summary>Port <c>rows</c>: the rows of the table.</summary>
    [Input] public IReadOnlyList<T> Rows { get; set; } = [];

    /// <summary>Port <c>path</c>: the full path of the file written.</summary>
    [Output] public string Path { get; private set; } = "";

    /// <summary>Port <c>markdown</c>: the Markdown written, to embed in a larger report.</summary>
    [Output] public string Markdown { get; private set; } = "";

    public override async ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var columns = TableColumns<T>.Instance;
        var names = columns.Names.ToList();
        var rows = Rows.Select(row => columns.Values(row).ToList()).ToList();
        var numeric = names.Select((_, i) => rows.Count > 0 && rows.All(r => r[i] is null or sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal)).ToList();

        var text = new StringBuilder();
        if (Title is not null) text.Append("# ").Append(Title).Append("\n\n");
        text.Append("| ").AppendJoin(" | ", names.Select(Escape)).Append(" |\n");
        text.Append('|').AppendJoin('|', numeric.Select(n => n ? " ---: " : " --- ")).Append("|\n");
        foreach (var row in rows)
            text.Append("| ").AppendJoin(" | ", row.Select(v => Escape(TableColumns<T>.Format(v, NumberFormat)))).Append(" |\n");

        var path = OutputFiles.Prepare(context, FilePath);
        Markdown = text.ToString();
        await File.WriteAllTextAsync(path, Markdown, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), cancellationToken).ConfigureAwait(false);
        Path = path;
    }

    /// <summary>A cell's text: pipes escaped, line breaks as spaces, so the table stays one row per line.</summary>
    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
