using System.Text.Json;

namespace Skein.Pipelines.Elements;

/// <summary>
/// Reads values out of JSON texts by a path — property names joined by dots, indexes in brackets (negative from the
/// end), <c>*</c> for every property or item: <c>results[*].time</c>, <c>a.b[0].c</c> — each value read as
/// <typeparamref name="T"/> (a string value as its text, any other JSON value as its JSON when <typeparamref name="T"/> is
/// string). A text the path finds nothing in fails the element, naming the path and quoting the text.
/// </summary>
/// <example><code>new ParseJson&lt;double&gt;("results[*].seconds")</code></example>
public sealed class ParseJson<T> : TextInputs
    where T : notnull
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
    private readonly JsonPath _path;

    /// <exception cref="FormatException">The path is not well formed.</exception>
    public ParseJson(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = JsonPath.Parse(path);
    }

    public string Path => _path.Text;

    /// <summary>Port <c>values</c>: every value the path reached, text after text, in document order.</summary>
    [Output] public IReadOnlyList<T> Values { get; private set; } = [];

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        var texts = InputTexts(context);
        var values = new List<T>();
        for (var i = 0; i < texts.Count; i++)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(texts[i]);
            }
            catch (JsonException ex)
            {
                throw new ElementFailedException(context.Element, $"{Where(i)} is not JSON ({ex.Message}): {Snippet.Of(texts[i])}", ex);
            }
            using (document)
            {
                var found = 0;
                foreach (var element in _path.Select(document.RootElement))
                {
                    values.Add(Read(context, element, i));
                    found++;
                }
                if (found == 0) throw new ElementFailedException(context.Element, $"{Path} finds nothing in {Where(i)}: {Snippet.Of(texts[i])}");
            }
        }
        Values = values;
        return ValueTask.CompletedTask;
    }

    private T Read(ElementContext context, JsonElement element, int text)
    {
        if (typeof(T) == typeof(string))
            return (T)(object)(element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText());
        try
        {
            return element.Deserialize<T>(Options) ?? throw new JsonException("null");
        }
        catch (JsonException ex)
        {
            throw new ElementFailedException(context.Element, $"{Path} in {Where(text)} is {Snippet.Of(element.GetRawText())}, not a {TypeNames.Display(typeof(T))}", ex);
        }
    }
}
