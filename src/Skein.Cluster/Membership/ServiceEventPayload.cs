using System.Buffers;
using System.Text.Json;

namespace Skein.Cluster.Membership;

/// <summary>The JSON body of the service.* system events: <c>{"service":"echo","node":"a","nodeId":"n1"}</c>.</summary>
internal static class ServiceEventPayload
{
    public static byte[] Encode(string service, string node, string nodeId)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("service", service);
            writer.WriteString("node", node);
            writer.WriteString("nodeId", nodeId);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
