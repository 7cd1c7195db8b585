using System.Buffers.Binary;
using System.Text;

namespace Skein.Cluster.Tests.Modules;

/// <summary>Hand-made protocol bytes, for frames the writer would never produce.</summary>
internal static class StdioBytes
{
    public static byte[] Preamble(byte version = 1) => [.. "SKEINMOD"u8, version];

    public static byte[] Frame(string header, byte[] payload) => Frame(Encoding.UTF8.GetBytes(header), payload);

    public static byte[] Frame(byte[] header, byte[] payload) => [.. Length(header.Length), .. header, .. Length(payload.Length), .. payload];

    public static byte[] Length(int length)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)length);
        return bytes;
    }

    public static byte[] Length(uint length)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, length);
        return bytes;
    }
}
