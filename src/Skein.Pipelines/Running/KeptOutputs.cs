using System.Text.Json;
using System.Text.Json.Serialization;
using Skein.Engine;

namespace Skein.Pipelines;

/// <summary>
/// An element's outputs kept as JSON task outputs (one per port, named as the port) in a run with a journal, so that
/// <c>--resume</c> can hand a reused element's values to the elements that run again. Only values that fit
/// <see cref="TaskOutputs"/> (32 KiB each, 64 per task) are kept; an element that receives a value that was not kept
/// fails, naming it (run again without --resume).
/// </summary>
internal static class KeptOutputs
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerOptions.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
        MaxDepth = 64,
    };

    public static Dictionary<string, string> Keep(Element element, IReadOnlyDictionary<string, object?> outputs, Func<TextWriter> log)
    {
        var kept = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var output in element.Ports.Outputs)
        {
            if (!outputs.TryGetValue(output.Name, out var value) || kept.Count >= TaskOutputs.MaxCount) continue;
            string json;
            try
            {
                json = JsonSerializer.Serialize(value, PipelineChecker.HandedOn(element, output).RuntimeType, Options);
            }
            catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException)
            {
                log().WriteLine($"output '{output.Name}' is not kept for --resume: it does not write as JSON ({ex.Message})");
                continue;
            }
            if (TaskOutputs.Check(output.Name, json) is { } problem)
            {
                log().WriteLine($"output '{output.Name}' is not kept for --resume: {problem}");
                continue;
            }
            kept[output.Name] = json;
        }
        return kept;
    }

    public static bool TryRead(Element from, PortInfo output, IReadOnlyDictionary<string, string> kept, out object? value, out string? problem)
    {
        value = null;
        problem = null;
        var type = PipelineChecker.HandedOn(from, output);
        if (!kept.TryGetValue(output.Name, out var json))
        {
            problem = $"{from.Name} was reused from an earlier run (--resume), but its output '{output.Name}' was not kept " +
                "(larger than an output holds, or not JSON): run the pipeline without --resume";
            return false;
        }
        try
        {
            value = JsonSerializer.Deserialize(json, type.RuntimeType, Options);
            return true;
        }
        catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException)
        {
            problem = $"{from.Name} was reused from an earlier run (--resume), but its kept output '{output.Name}' does not read as {type}: {ex.Message}";
            return false;
        }
    }
}
