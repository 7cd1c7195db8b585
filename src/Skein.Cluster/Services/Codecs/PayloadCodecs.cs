namespace Skein.Cluster.Services.Codecs;

/// <summary>Chooses the codec named by an envelope's content type.</summary>
/// <remarks>
/// An empty content type is JSON, everywhere a payload travels (calls, module processes, events): what a client in
/// another language that leaves the field out most likely sent. .NET proxies always name MessagePack.
/// </remarks>
internal static class PayloadCodecs
{
    public static IPayloadCodec? For(string contentType) => contentType switch
    {
        MessagePackPayloadCodec.MediaType => MessagePackPayloadCodec.Instance,
        JsonPayloadCodec.MediaType or "" => JsonPayloadCodec.Instance,
        _ => null,
    };
}
