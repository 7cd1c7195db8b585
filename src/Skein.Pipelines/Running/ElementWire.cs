using System.Buffers;
using MessagePack;
using Skein.Cluster.Services.Codecs;

namespace Skein.Pipelines;

/// <summary>
/// What crosses to the node that runs an element, and back, in MessagePack: the request is
/// <c>[pipeline type, pipeline member, element, {input: bytes}]</c>, the reply <c>{output: bytes}</c>; each value is
/// written with the binary codec of service calls by its declared port type (never by the type it says it is).
/// </summary>
internal static class ElementWire
{
    /// <summary>The most ports a request or reply carries: far more than an element declares.</summary>
    public const int MaxPorts = 1024;

    public sealed record Request(string PipelineType, string PipelineMember, string Element, Dictionary<string, ReadOnlyMemory<byte>> Values);

    public static byte[] EncodeRequest(string pipelineType, string pipelineMember, string element, IEnumerable<(string Name, Type Type, object? Value)> values)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.Write(pipelineType);
        writer.Write(pipelineMember);
        writer.Write(element);
        WriteValues(ref writer, values);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] EncodeValues(IEnumerable<(string Name, Type Type, object? Value)> values)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        WriteValues(ref writer, values);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static Request DecodeRequest(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var reader = new MessagePackReader(bytes);
            if (reader.ReadArrayHeader() != 4) throw new InvalidDataException("an element request is an array of 4");
            var type = reader.ReadString() ?? throw new InvalidDataException("the request names no pipeline type");
            var member = reader.ReadString() ?? throw new InvalidDataException("the request names no pipeline member");
            var element = reader.ReadString() ?? throw new InvalidDataException("the request names no element");
            var values = ReadValues(ref reader);
            return new Request(type, member, element, values);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException)
        {
            throw new InvalidDataException($"the element request is not readable: {ex.Message}", ex);
        }
    }

    public static Dictionary<string, ReadOnlyMemory<byte>> DecodeValues(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var reader = new MessagePackReader(bytes);
            return ReadValues(ref reader);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException)
        {
            throw new InvalidDataException($"the element's reply is not readable: {ex.Message}", ex);
        }
    }

    /// <summary>One value by its declared type; an <see cref="InvalidDataException"/> says what it is not.</summary>
    public static object? Decode(Type type, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return MessagePackPayloadCodec.Instance.DecodeValue(type, bytes);
        }
        catch (PayloadException ex)
        {
            throw new InvalidDataException(ex.Message, ex);
        }
    }

    private static void WriteValues(ref MessagePackWriter writer, IEnumerable<(string Name, Type Type, object? Value)> values)
    {
        var list = values as IReadOnlyCollection<(string, Type, object?)> ?? [.. values];
        writer.WriteMapHeader(list.Count);
        foreach (var (name, type, value) in list)
        {
            writer.Write(name);
            writer.Write(MessagePackPayloadCodec.Instance.EncodeValue(type, value).Span);
        }
    }

    private static Dictionary<string, ReadOnlyMemory<byte>> ReadValues(ref MessagePackReader reader)
    {
        var count = reader.ReadMapHeader();
        if (count > MaxPorts) throw new InvalidDataException($"{count} values; at most {MaxPorts}");
        var values = new Dictionary<string, ReadOnlyMemory<byte>>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString() ?? throw new InvalidDataException("a value without a name");
            var bytes = reader.ReadBytes() ?? throw new InvalidDataException($"value '{name}' has no bytes");
            values[name] = bytes.ToArray();
        }
        return values;
    }
}
