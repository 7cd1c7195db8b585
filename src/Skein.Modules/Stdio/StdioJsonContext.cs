using System.Text.Json.Serialization;

namespace Skein.Modules.Stdio;

/// <summary>Source-generated (de)serialisation of frame headers: no reflection at run time, the same shape every time.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    MaxDepth = 64,
    Converters = [typeof(StdioFrameKindConverter), typeof(RemoteErrorKindConverter), typeof(SnakeCaseEnumConverter<StdioStatus>), typeof(SnakeCaseEnumConverter<InstanceMode>)])]
[JsonSerializable(typeof(StdioFrameHeader))]
internal sealed partial class StdioJsonContext : JsonSerializerContext;
