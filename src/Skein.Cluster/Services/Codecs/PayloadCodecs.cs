namespace Skein.Cluster.Services.Codecs;

/// <summary>Chooses the codec named by an envelope's content type.</summary>
internal static class PayloadCodecs
{
    public static IPayloadCodec? For(string contentType) => contentType switch
    {
        MessagePackPayloadCodec.MediaType or "" => MessagePackPayloadCodec.Instance,
        JsonPayloadCodec.MediaType => JsonPayloadCodec.Instance,
        _ => null,
    };
}
