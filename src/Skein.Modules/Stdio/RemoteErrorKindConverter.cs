using System.Text.Json;
using System.Text.Json.Serialization;

namespace Skein.Modules.Stdio;

/// <summary>
/// Error kinds as RemoteErrorKind names in snake case ("method_not_found"). Lenient on read: a kind this node does
/// not know becomes internal, because the error it came with still deserves to reach the caller.
/// </summary>
internal sealed class RemoteErrorKindConverter : JsonConverter<RemoteErrorKind>
{
    private static readonly RemoteErrorKind[] Kinds = Enum.GetValues<RemoteErrorKind>();
    private static readonly string[] Names = Array.ConvertAll(Kinds, kind => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString()));

    public override RemoteErrorKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            for (var i = 0; i < Names.Length; i++)
            {
                if (reader.ValueTextEquals(Names[i])) return Kinds[i];
            }
        }
        return RemoteErrorKind.Internal;
    }

    public override void Write(Utf8JsonWriter writer, RemoteErrorKind value, JsonSerializerOptions options)
    {
        var index = Array.IndexOf(Kinds, value);
        writer.WriteStringValue(index >= 0 ? Names[index] : "internal");
    }
}
