using System.Globalization;
using System.Text.Json;

namespace Skein.Pipelines.Elements;

/// <summary>
/// A path into a JSON document: property names joined by dots, array indexes in brackets, <c>*</c> or <c>[*]</c> for
/// every property or item: <c>runs[*].times[0]</c>. Parsed once; <see cref="Select"/> yields every value it reaches.
/// </summary>
internal sealed class JsonPath
{
    private readonly IReadOnlyList<Step> _steps;

    private JsonPath(string text, IReadOnlyList<Step> steps)
    {
        Text = text;
        _steps = steps;
    }

    public string Text { get; }

    public override string ToString() => Text;

    /// <exception cref="FormatException">The path is not well formed; the message says where.</exception>
    public static JsonPath Parse(string text)
    {
        var steps = new List<Step>();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '[')
            {
                var close = text.IndexOf(']', i);
                if (close < 0) throw new FormatException($"'[' at {i + 1} of the path {text} is not closed");
                var inside = text[(i + 1)..close].Trim();
                if (inside == "*") steps.Add(Step.AnyItem);
                else if (int.TryParse(inside, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index)) steps.Add(Step.Item(index));
                else if (inside.Length >= 2 && inside[0] is '\'' or '"' && inside[^1] == inside[0]) steps.Add(Step.Property(inside[1..^1]));
                else throw new FormatException($"[{inside}] at {i + 1} of the path {text} is not an index, * or a quoted name");
                i = close + 1;
                if (i < text.Length && text[i] == '.') i++;
                continue;
            }
            var end = i;
            while (end < text.Length && text[end] is not '.' and not '[') end++;
            var name = text[i..end];
            if (name.Length == 0) throw new FormatException($"an empty name at {i + 1} of the path {text}");
            steps.Add(name == "*" ? Step.AnyProperty : Step.Property(name));
            i = end < text.Length && text[end] == '.' ? end + 1 : end;
            if (i == text.Length && text[^1] == '.') throw new FormatException($"the path {text} ends with '.'");
        }
        return new JsonPath(text, steps);
    }

    /// <summary>Every value the path reaches from <paramref name="root"/>, in document order.</summary>
    public IEnumerable<JsonElement> Select(JsonElement root) => Select(root, 0);

    private IEnumerable<JsonElement> Select(JsonElement element, int step)
    {
        if (step == _steps.Count)
        {
            yield return element;
            yield break;
        }
        var current = _steps[step];
        switch (current.Kind)
        {
            case StepKind.Property when element.ValueKind == JsonValueKind.Object && element.TryGetProperty(current.Name!, out var value):
                foreach (var found in Select(value, step + 1)) yield return found;
                break;
            case StepKind.Item when element.ValueKind == JsonValueKind.Array:
                var length = element.GetArrayLength();
                var index = current.Index < 0 ? length + current.Index : current.Index;
                if (index >= 0 && index < length)
                {
                    foreach (var found in Select(element[index], step + 1)) yield return found;
                }
                break;
            case StepKind.AnyItem when element.ValueKind == JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var found in Select(item, step + 1)) yield return found;
                }
                break;
            case StepKind.AnyProperty when element.ValueKind == JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    foreach (var found in Select(property.Value, step + 1)) yield return found;
                }
                break;
        }
    }

    private enum StepKind
    {
        Property,
        Item,
        AnyItem,
        AnyProperty,
    }

    private sealed record Step(StepKind Kind, string? Name, int Index)
    {
        public static readonly Step AnyItem = new(StepKind.AnyItem, null, 0);
        public static readonly Step AnyProperty = new(StepKind.AnyProperty, null, 0);

        public static Step Property(string name) => new(StepKind.Property, name, 0);

        public static Step Item(int index) => new(StepKind.Item, null, index);
    }
}
