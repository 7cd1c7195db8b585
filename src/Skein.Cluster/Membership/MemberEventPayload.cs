using System.Buffers;
using System.Text.Json;

namespace Skein.Cluster.Membership;

/// <summary>
/// The small JSON body of the node.* system events. JSON rather than the binary codec because the
/// CLI and scripts in other languages are the first readers of these events.
/// </summary>
internal static class MemberEventPayload
{
    public static byte[] Encode(string name, string nodeId, MemberState state)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            writer.WriteString("nodeId", nodeId);
            writer.WriteString("state", StateName(state));
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string StateName(MemberState state) => state switch
    {
        MemberState.Alive => "alive",
        MemberState.Lost => "lost",
        MemberState.Left => "left",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}
