using System.Text.Json;
using System.Text.Json.Serialization;

namespace Skein.Modules.Stdio;

/// <summary>
/// Frame kinds by their wire names. An unknown kind is a protocol error of its own (not a JSON error), so the
/// message says exactly that; the exception passes through System.Text.Json unchanged because it is not a JsonException.
/// </summary>
internal sealed class StdioFrameKindConverter : JsonConverter<StdioFrameKind>
{
    public override StdioFrameKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new ModuleProtocolException($"frame kind must be a string, got {reader.TokenType}");
        var text = reader.HasValueSequence || reader.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
        if (StdioFrameKindNames.TryFromWire(text, out var kind)) return kind;
        var shown = reader.GetString()!;
        if (shown.Length > 40) shown = shown[..40] + "…";
        throw new ModuleProtocolException($"unknown frame kind '{shown}'");
    }

    public override void Write(Utf8JsonWriter writer, StdioFrameKind value, JsonSerializerOptions options) =>
        writer.WriteStringValue(StdioFrameKindNames.ToWire(value));
}
