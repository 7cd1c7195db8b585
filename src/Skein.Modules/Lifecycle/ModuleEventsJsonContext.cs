using System.Text.Json.Serialization;

namespace Skein.Modules.Lifecycle;

/// <summary>Source-generated JSON for lifecycle event payloads: camelCase, no reflection at run time.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModuleStateEvent))]
public sealed partial class ModuleEventsJsonContext : JsonSerializerContext;
