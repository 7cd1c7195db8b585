using System.Buffers;
using MessagePack;
using Skein.Cluster.Services.Contracts;

namespace Skein.Cluster.Services.Codecs;

/// <summary>
/// The compact binary codec between .NET peers: MessagePack with the contractless standard resolver (plain classes and
/// records need no attributes; an unloadable module's own types by reflection, in the same format: see
/// <see cref="MessagePackResolver"/>) and the untrusted-data security profile. Never the typeless resolver: the declared
/// parameter type alone decides what a value becomes. Byte arrays travel as MessagePack bin, byte for byte.
/// </summary>
internal sealed class MessagePackPayloadCodec : IPayloadCodec
{
    public const string MediaType = "application/x-msgpack";

    public static readonly MessagePackPayloadCodec Instance = new();

    private static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard
        .WithResolver(MessagePackResolver.Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData);

    public string ContentType => MediaType;

    public ReadOnlyMemory<byte> EncodeArguments(ContractMethod method, object?[] arguments) =>
        EncodeArguments(method, new ArgumentArray(method, arguments));

    // A call's arguments are written into this thread's buffer, then copied out at their exact size: one array per call.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_arguments;

    private const int KeptBufferBytes = 64 * 1024;

    /// <summary>Encodes a call's arguments as one array, each with its declared type.</summary>
    public static byte[] EncodeArguments<TArguments>(ContractMethod method, TArguments arguments) where TArguments : IProxyArguments
    {
        // Taken while in use: a formatter that itself makes a call on this thread gets a buffer of its own.
        var buffer = t_arguments ?? new ArrayBufferWriter<byte>(256);
        t_arguments = null;
        try
        {
            var writer = new ProxyArgumentWriter(buffer, method.ParameterTypes.Length);
            arguments.Write(ref writer);
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Capacity <= KeptBufferBytes)
            {
                buffer.ResetWrittenCount();
                t_arguments = buffer;
            }
        }
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
                values[i] = Read(method.ParameterTypes[i], ref reader);
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

    public ReadOnlyMemory<byte> EncodeValue(Type type, object? value)
    {
        if (!CollectibleTypes.Contains(type)) return MessagePackSerializer.Serialize(type, value, Options);
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        Write(type, ref writer, value);
        writer.Flush();
        return buffer.WrittenMemory;
    }

    public object? DecodeValue(Type type, ReadOnlyMemory<byte> payload)
    {
        try
        {
            if (!CollectibleTypes.Contains(type)) return MessagePackSerializer.Deserialize(type, payload, Options);
            var reader = new MessagePackReader(payload);
            return Read(type, ref reader);
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

    /// <summary>Writes <paramref name="value"/> as its declared type <typeparamref name="T"/>: the same bytes as the non-generic way.</summary>
    internal static void Write<T>(ref MessagePackWriter writer, T value)
    {
        if (CollectibleTypes.Contains(typeof(T))) MessagePackValues.WriterFor(typeof(T))(ref writer, value, Options);
        else MessagePackSerializer.Serialize(ref writer, value, Options);
    }

    // MessagePack's non-generic API keeps a compiled method per type for good; a type of an unloadable module (or one
    // built over it) goes through delegates held weakly by the type instead.
    internal static void Write(Type type, ref MessagePackWriter writer, object? value)
    {
        if (CollectibleTypes.Contains(type)) MessagePackValues.WriterFor(type)(ref writer, value, Options);
        else MessagePackSerializer.Serialize(type, ref writer, value, Options);
    }

    private static object? Read(Type type, ref MessagePackReader reader) =>
        CollectibleTypes.Contains(type) ? MessagePackValues.ReaderFor(type)(ref reader, Options) : MessagePackSerializer.Deserialize(type, ref reader, Options);

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }
}
