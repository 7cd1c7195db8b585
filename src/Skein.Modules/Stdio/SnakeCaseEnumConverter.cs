using System.Text.Json;
using System.Text.Json.Serialization;

namespace Skein.Modules.Stdio;

/// <summary>Enums as snake-case strings ("per_connection", "ok"); numbers are refused so the wire stays readable.</summary>
internal sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
