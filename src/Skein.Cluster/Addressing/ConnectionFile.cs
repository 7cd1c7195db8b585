using System.Text.Json;
using System.Text.Json.Serialization;

namespace Skein.Cluster.Addressing;

/// <summary>
/// <c>&lt;state&gt;/cluster.json</c>: how other skein commands find the running coordinator of a state directory.
/// Written when the coordinator starts, removed when it stops cleanly.
/// </summary>
public sealed record ConnectionFile(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("tokenPath")] string TokenPath,
    [property: JsonPropertyName("pid")] int ProcessId)
{
    public const string FileName = "cluster.json";

    public static string PathIn(string stateDirectory) => System.IO.Path.Combine(stateDirectory, FileName);

    public void Write(string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory);
        var path = PathIn(stateDirectory);
        var temporary = path + ".tmp";
        try
        {
            File.WriteAllText(temporary, JsonSerializer.Serialize(this, ConnectionFileJson.Default.ConnectionFile));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The temporary file is how the write is made whole, not something the user should have to know about.
            var why = ex is UnauthorizedAccessException ? "access denied" : ex.Message.Replace(temporary, path, StringComparison.Ordinal);
            throw new SkeinException($"cannot write the connection file {path}: {why}", ex);
        }
    }

    /// <summary>The connection file of the state directory, or null when there is none.</summary>
    public static ConnectionFile? TryRead(string stateDirectory)
    {
        var path = PathIn(stateDirectory);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), ConnectionFileJson.Default.ConnectionFile)
                ?? throw new SkeinException($"the connection file {path} is empty");
        }
        catch (JsonException ex)
        {
            throw new SkeinException($"the connection file {path} is not valid: {ex.Message}", ex);
        }
    }

    public static void Delete(string stateDirectory) => File.Delete(PathIn(stateDirectory));
}

[JsonSerializable(typeof(ConnectionFile))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class ConnectionFileJson : JsonSerializerContext;
