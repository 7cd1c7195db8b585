using System.Text.Json;

namespace Skein.Modules.Manifests;

/// <summary>Puts a load request's config over a manifest's: the request's top-level keys replace the manifest's, the rest stay.</summary>
internal static class ConfigMerge
{
    public static JsonElement? Shallow(JsonElement? under, JsonElement? over)
    {
        if (under is not { ValueKind: JsonValueKind.Object } bottom) return over;
        if (over is not { ValueKind: JsonValueKind.Object } top) return under;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in bottom.EnumerateObject())
            {
                if (top.TryGetProperty(property.Name, out _)) continue;
                property.WriteTo(writer);
            }
            foreach (var property in top.EnumerateObject()) property.WriteTo(writer);
            writer.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
