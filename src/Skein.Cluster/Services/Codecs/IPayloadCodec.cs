using Skein.Cluster.Services.Contracts;

namespace Skein.Cluster.Services.Codecs;

/// <summary>
/// Turns a call's arguments and results into payload bytes and back. Decoding only ever produces the types the
/// contract declares: nothing in a payload can name a type to create or code to run.
/// </summary>
internal interface IPayloadCodec
{
    string ContentType { get; }

    /// <summary>Encodes a call's C# arguments as one array, leaving out the method's <see cref="CancellationToken"/>.</summary>
    ReadOnlyMemory<byte> EncodeArguments(ContractMethod method, object?[] arguments);

    /// <summary>Decodes the argument array into the declared types (with a default token slot left for the server).</summary>
    /// <exception cref="PayloadException">The payload is not an array of that many values of those types.</exception>
    object?[] DecodeArguments(ContractMethod method, ReadOnlyMemory<byte> payload);

    ReadOnlyMemory<byte> EncodeValue(Type type, object? value);

    object? DecodeValue(Type type, ReadOnlyMemory<byte> payload);

    T DecodeValue<T>(ReadOnlyMemory<byte> payload);
}
