using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Skein.Pipelines.Elements;

/// <summary>
/// Reads one column of CSV texts (RFC 4180: quoted fields may hold commas, quotes and line breaks), by its header name
/// or by its index, each field read as <typeparamref name="T"/> in invariant culture. A missing column or a field that
/// is not a <typeparamref name="T"/> fails the element, naming the text and the line.
/// </summary>
/// <example><code>new ParseCsv&lt;double&gt;("seconds")</code>, <code>new ParseCsv&lt;string&gt;(0) { HasHeader = false }</code></example>
public sealed class ParseCsv<T> : TextInputs
    where T : notnull
{
    /// <summary>The column with this header (the first line is the header).</summary>
    public ParseCsv(string column)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        Column = column;
    }

    /// <summary>The column at this index, from 0.</summary>
    public ParseCsv(int column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ColumnIndex = column;
    }

    /// <summary>The header of the column read, or null when it is read by index.</summary>
    public string? Column { get; }

    /// <summary>The index of the column read, or null when it is read by header.</summary>
    public int? ColumnIndex { get; }

    /// <summary>Whether the first line is a header (default: yes; a column by name needs one).</summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>The field separator (default: a comma).</summary>
    public string Delimiter { get; init; } = ",";

    /// <summary>Port <c>values</c>: the column's fields, text after text, row after row.</summary>
    [Output] public IReadOnlyList<T> Values { get; private set; } = [];

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        var texts = InputTexts(context);
        if (Column is not null && !HasHeader) throw new ElementFailedException(context.Element, $"the column \"{Column}\" is named, but HasHeader is false");
        var values = new List<T>();
        for (var i = 0; i < texts.Count; i++) Read(context, texts[i], i, values);
        Values = values;
        return ValueTask.CompletedTask;
    }

    private void Read(ElementContext context, string text, int textIndex, List<T> values)
    {
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = HasHeader,
            Delimiter = Delimiter,
            BadDataFound = null,
            MissingFieldFound = null,
            DetectColumnCountChanges = false,
        };
        using var reader = new StringReader(text);
        using var csv = new CsvReader(reader, configuration);
        var column = ColumnIndex ?? 0;
        try
        {
            if (HasHeader)
            {
                if (!csv.Read()) throw new ElementFailedException(context.Element, $"{Where(textIndex)} is empty: it has no header");
                csv.ReadHeader();
                var header = csv.HeaderRecord ?? [];
                if (Column is not null)
                {
                    column = Array.IndexOf(header, Column);
                    if (column < 0)
                        throw new ElementFailedException(context.Element, $"{Where(textIndex)} has no column \"{Column}\" (its columns: {string.Join(", ", header.Select(h => $"\"{h}\""))})");
                }
            }
            while (csv.Read())
            {
                var line = csv.Parser.RawRow;
                if (!csv.TryGetField<string>(column, out var field) || field is null)
                    throw new ElementFailedException(context.Element, $"line {line} of {Where(textIndex)} has no column {column + 1}: {Snippet.Of(csv.Parser.RawRecord)}");
                values.Add(Convert(context, field, line, textIndex));
            }
        }
        catch (CsvHelperException ex)
        {
            throw new ElementFailedException(context.Element, $"{Where(textIndex)} is not valid CSV near line {csv.Parser.RawRow}: {ex.Message}", ex);
        }
    }

    private T Convert(ElementContext context, string field, int line, int textIndex)
    {
        if (typeof(T) == typeof(string)) return (T)(object)field;
        try
        {
            var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
            return (T)System.Convert.ChangeType(field.Trim(), target, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException)
        {
            throw new ElementFailedException(context.Element, $"line {line} of {Where(textIndex)}: \"{field}\" is not a {TypeNames.Display(typeof(T))}", ex);
        }
    }
}
