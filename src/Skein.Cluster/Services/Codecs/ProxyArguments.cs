using System.Buffers;
using System.ComponentModel;
using MessagePack;
using Skein.Cluster.Services.Codecs;

namespace Skein.Cluster.Services.Codecs;

/// <summary>
/// A call's arguments as a generated proxy hands them over: a struct per method that writes each argument with its
/// declared type, so that a call makes no argument array and boxes nothing. Written by the Skein source generator; not
/// meant to be implemented by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IProxyArguments
{
    /// <summary>Writes every argument but the <see cref="CancellationToken"/>, in order.</summary>
    void Write(ref ProxyArgumentWriter writer);
}

/// <summary>Where <see cref="IProxyArguments"/> writes a call's arguments (in the wire encoding of a call).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct ProxyArgumentWriter
{
    private MessagePackWriter _writer;

    internal ProxyArgumentWriter(IBufferWriter<byte> output, int count)
    {
        _writer = new MessagePackWriter(output);
        _writer.WriteArrayHeader(count);
    }

    /// <summary>Writes one argument as its declared type <typeparamref name="T"/> (never as the type of the value it holds).</summary>
    public void Write<T>(T value) => MessagePackPayloadCodec.Write(ref _writer, value);

    /// <summary>Writes one argument of a declared type known only at run time (the reflection proxy's way).</summary>
    internal void Write(Type type, object? value) => MessagePackPayloadCodec.Write(type, ref _writer, value);

    internal void Flush() => _writer.Flush();
}
