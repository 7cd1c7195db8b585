using System.Buffers;
using MessagePack;
using MessagePack.Resolvers;
using Skein.Cluster.Services.Contracts;

namespace Skein.Cluster.Services.Codecs;

/// <summary>
/// The compact binary codec between .NET peers: MessagePack with the contractless standard resolver (plain classes and
/// records need no attributes) and the untrusted-data security profile. Never the typeless resolver: the declared
/// parameter type alone decides what a value becomes. Byte arrays travel as MessagePack bin, byte for byte.
/// </summary>
internal sealed class MessagePackPayloadCodec : IPayloadCodec
{
    public const string MediaType = "application/x-msgpack";

    public static readonly MessagePackPayloadCodec Instance = new();

    private static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard
        .WithResolver(ContractlessStandardResolver.Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData);

    public string ContentType => MediaType;

    public ReadOnlyMemory<byte> EncodeArguments(ContractMethod method, object?[] arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(method.ParameterTypes.Length);
        var next = 0;
        for (var i = 0; i < arguments.Length; i++)
        {
            if (i == method.CancellationTokenIndex) continue;
            MessagePackSerializer.Serialize(method.ParameterTypes[next++], ref writer, arguments[i], Options);
        }
        writer.Flush();
        return buffer.WrittenMemory;
    }

    public object?[] DecodeArguments(ContractMethod method, ReadOnlyMemory<byte> payload)
    {
        var reader = new MessagePackReader(payload);
        int count;
        try
        {
            count = reader.ReadArrayHeader();
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException)
        {
            throw new PayloadException($"the arguments of {method.WireName} are not a MessagePack array", ex);
        }
        ArgumentCount.Check(method, count);
        var values = new object?[method.ParameterTypes.Length];
        for (var i = 0; i < values.Length; i++)
        {
            try
            {
                values[i] = MessagePackSerializer.Deserialize(method.ParameterTypes[i], ref reader, Options);
            }
            catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or InsufficientExecutionStackException)
            {
                throw new PayloadException(
                    $"argument {i + 1} ({method.ParameterNames[i]}) of {method.WireName} is not a {TypeNames.Short(method.ParameterTypes[i])}: {Innermost(ex).Message}", ex);
            }
        }
        if (!reader.End) throw new PayloadException($"the arguments of {method.WireName} have bytes left over after {count} values");
        return values;
    }

    public ReadOnlyMemory<byte> EncodeValue(Type type, object? value) => MessagePackSerializer.Serialize(type, value, Options);

    public object? DecodeValue(Type type, ReadOnlyMemory<byte> payload)
    {
        try
        {
            return MessagePackSerializer.Deserialize(type, payload, Options);
        }
        catch (MessagePackSerializationException ex)
        {
            throw new PayloadException($"the value is not a {TypeNames.Short(type)}: {Innermost(ex).Message}", ex);
        }
    }

    public T DecodeValue<T>(ReadOnlyMemory<byte> payload)
    {
        try
        {
            return MessagePackSerializer.Deserialize<T>(payload, Options);
        }
        catch (MessagePackSerializationException ex)
        {
            throw new PayloadException($"the value is not a {TypeNames.Short(typeof(T))}: {Innermost(ex).Message}", ex);
        }
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }
}
