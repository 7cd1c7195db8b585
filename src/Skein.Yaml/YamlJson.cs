using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Skein.Yaml;

/// <summary>
/// Turns a YAML mapping into a JSON object, reading plain scalars as YAML's core schema does (numbers, true/false,
/// null) and quoted ones as text, so <c>port: 8080</c> reaches a module as a number and <c>port: "8080"</c> as text.
/// </summary>
public static partial class YamlJson
{
    /// <summary>The mapping as a JSON object; what cannot be one (a key that is not text, an alias) goes to <paramref name="problems"/> with its position.</summary>
    public static JsonElement ToJson(YamlMappingNode mapping, ProblemCollector problems)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, mapping, problems);
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node, ProblemCollector problems)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                    {
                        problems.Error($"keys in 'config' must be plain text, not {NodeText.Describe(key)}", key);
                        continue;
                    }
                    writer.WritePropertyName(name);
                    Write(writer, value, problems);
                }
                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children) Write(writer, item, problems);
                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                problems.Error("aliases are not supported in 'config'; write the value out", node);
                writer.WriteNullValue();
                break;
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            writer.WriteStringValue(text);
            return;
        }
        if (NodeText.IsNull(scalar)) writer.WriteNullValue();
        else if (text is "true" or "True" or "TRUE") writer.WriteBooleanValue(true);
        else if (text is "false" or "False" or "FALSE") writer.WriteBooleanValue(false);
        else if (Integer().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole)) writer.WriteNumberValue(whole);
        else if (Real().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real)) writer.WriteNumberValue(real);
        else writer.WriteStringValue(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Real();
}
