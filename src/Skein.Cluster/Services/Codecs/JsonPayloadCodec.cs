using System.Text.Json;
using Skein.Cluster.Services.Contracts;

namespace Skein.Cluster.Services.Codecs;

/// <summary>
/// JSON for the CLI, scripts and other languages: the arguments are one JSON array, each element decoded as the
/// declared parameter type by System.Text.Json (which never reads type names from the document).
/// </summary>
internal sealed class JsonPayloadCodec : IPayloadCodec
{
    public const string MediaType = "application/json";

    public static readonly JsonPayloadCodec Instance = new();

    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { MaxDepth = 64 };

    public string ContentType => MediaType;

    public ReadOnlyMemory<byte> EncodeArguments(ContractMethod method, object?[] arguments)
    {
        var values = new object?[method.ParameterTypes.Length];
        var next = 0;
        for (var i = 0; i < arguments.Length; i++)
        {
            if (i != method.CancellationTokenIndex) values[next++] = arguments[i];
        }
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartArray();
            for (var i = 0; i < values.Length; i++) JsonSerializer.Serialize(writer, values[i], method.ParameterTypes[i], Options);
            writer.WriteEndArray();
        }
        return stream.ToArray();
    }

    public object?[] DecodeArguments(ContractMethod method, ReadOnlyMemory<byte> payload)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new PayloadException($"the arguments of {method.WireName} are not valid JSON: {ex.Message}", ex);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
                throw new PayloadException($"the arguments of {method.WireName} must be a JSON array, e.g. [\"hi\"]; got a JSON {root.ValueKind.ToString().ToLowerInvariant()}");
            ArgumentCount.Check(method, root.GetArrayLength());
            var values = new object?[method.ParameterTypes.Length];
            var i = 0;
            foreach (var element in root.EnumerateArray())
            {
                try
                {
                    values[i] = element.Deserialize(method.ParameterTypes[i], Options);
                }
                catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
                {
                    throw new PayloadException(
                        $"argument {i + 1} ({method.ParameterNames[i]}) of {method.WireName} is not a {TypeNames.Short(method.ParameterTypes[i])}: {element.GetRawText()}", ex);
                }
                i++;
            }
            return values;
        }
    }

    public ReadOnlyMemory<byte> EncodeValue(Type type, object? value) => JsonSerializer.SerializeToUtf8Bytes(value, type, Options);

    public object? DecodeValue(Type type, ReadOnlyMemory<byte> payload)
    {
        try
        {
            return JsonSerializer.Deserialize(payload.Span, type, Options);
        }
        catch (JsonException ex)
        {
            throw new PayloadException($"the value is not a {TypeNames.Short(type)}: {ex.Message}", ex);
        }
    }

    public T DecodeValue<T>(ReadOnlyMemory<byte> payload) => (T)DecodeValue(typeof(T), payload)!;
}
