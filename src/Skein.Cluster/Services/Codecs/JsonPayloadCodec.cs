using System.Reflection;
using System.Reflection.Metadata;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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

    // The options cache what they learn of every type they meet, and options of equal settings share one cache. A type
    // from an unloadable module gets options of its own, held weakly by that type, with a resolver of their own so that
    // their cache is not shared: nothing then keeps a module alive once it is unloaded.
    private static readonly ConditionalWeakTable<Type, JsonSerializerOptions> ModuleTypeOptions = new();

    // System.Text.Json also keeps the accessors it emits for a type's members in one process-wide cache, whose entries
    // go only a second after their last use and only when the cache is next used. Hot reload empties it through the
    // library's metadata update handler; so does unloading a module, so that the module can be collected at once.
    private static readonly Action<Type[]?>? ClearSharedCaches = FindClearCache();

    /// <summary>Drops what System.Text.Json remembers process-wide of types, so that an unloaded module's can be freed.</summary>
    internal static void ForgetUnloadedTypes() => ClearSharedCaches?.Invoke(null);

    private static Action<Type[]?>? FindClearCache()
    {
        foreach (var handler in typeof(JsonSerializer).Assembly.GetCustomAttributes<MetadataUpdateHandlerAttribute>())
        {
            var clear = handler.HandlerType.GetMethod("ClearCache", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(Type[])]);
            if (clear is not null) return clear.CreateDelegate<Action<Type[]?>>();
        }
        return null;
    }

    private static JsonSerializerOptions OptionsFor(Type type) =>
        CollectibleTypes.Contains(type)
            ? ModuleTypeOptions.GetValue(type, static _ => new JsonSerializerOptions(Options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() })
            : Options;

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
            for (var i = 0; i < values.Length; i++) JsonSerializer.Serialize(writer, values[i], method.ParameterTypes[i], OptionsFor(method.ParameterTypes[i]));
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
                    values[i] = element.Deserialize(method.ParameterTypes[i], OptionsFor(method.ParameterTypes[i]));
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

    public ReadOnlyMemory<byte> EncodeValue(Type type, object? value) => JsonSerializer.SerializeToUtf8Bytes(value, type, OptionsFor(type));

    public object? DecodeValue(Type type, ReadOnlyMemory<byte> payload)
    {
        try
        {
            return JsonSerializer.Deserialize(payload.Span, type, OptionsFor(type));
        }
        catch (JsonException ex)
        {
            throw new PayloadException($"the value is not a {TypeNames.Short(type)}: {ex.Message}", ex);
        }
    }

    public T DecodeValue<T>(ReadOnlyMemory<byte> payload) => (T)DecodeValue(typeof(T), payload)!;
}
