using System.CommandLine;
using System.Text;
using System.Text.Json;
using Skein.Cli.Reporting;

namespace Skein.Cli;

/// <summary>
/// <c>--format table|json</c> and its short form <c>--json</c>, the same on every command that lists things
/// (<c>runs</c>, <c>show</c>, <c>nodes</c>, <c>services</c>, <c>module list</c>, <c>app list</c>): a table for people,
/// or one JSON document with a stable shape for scripts (docs/cli.md lists each).
/// </summary>
internal sealed class ListFormat
{
    private readonly Option<string?> _format;
    private readonly Option<bool> _json;

    private ListFormat()
    {
        _format = new Option<string?>("--format") { Description = "table (the default) or json: one JSON document (its shape is in docs/cli.md).", HelpName = "table|json" };
        _format.AcceptOnlyFromAmong("table", "json");
        _json = new Option<bool>("--json") { Description = "Print JSON instead of a table (--format json)." };
    }

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public static ListFormat AddTo(Command command)
    {
        var format = new ListFormat();
        command.Add(format._format);
        command.Add(format._json);
        return format;
    }

    public bool IsJson(ParseResult parse)
    {
        var format = parse.GetValue(_format);
        if (parse.GetValue(_json) && format == "table") throw new SkeinException("--json is --format json: it cannot go with --format table");
        return parse.GetValue(_json) || format == "json";
    }

    /// <summary>Writes one indented JSON document and a newline; text is written as it is, but for halves of surrogate pairs (U+FFFD).</summary>
    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(json);
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.Flush();
    }

    /// <summary>A string property, JSON-safe (<see cref="ReportText.ForJson"/>); null is written as null.</summary>
    public static void String(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, ReportText.ForJson(value));
    }

    public static void Strings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values) json.WriteStringValue(ReportText.ForJson(value));
        json.WriteEndArray();
    }

    public static void Map(Utf8JsonWriter json, string name, IEnumerable<KeyValuePair<string, string>> values)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in values.OrderBy(p => p.Key, StringComparer.Ordinal)) json.WriteString(ReportText.ForJson(key), ReportText.ForJson(value));
        json.WriteEndObject();
    }

    /// <summary>A duration in milliseconds (as the JSON report writes them), or null when there is none.</summary>
    public static void Milliseconds(Utf8JsonWriter json, string name, TimeSpan? value)
    {
        if (value is { } d) json.WriteNumber(name, Math.Round(d.TotalMilliseconds, 1));
        else json.WriteNull(name);
    }
}
