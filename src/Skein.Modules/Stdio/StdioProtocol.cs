namespace Skein.Modules.Stdio;

/// <summary>The constants of stdio protocol v1 (docs/module-protocol.md): preamble, version, size limits and default timings.</summary>
public static class StdioProtocol
{
    /// <summary>The protocol version this codec speaks, sent as the ninth byte of the preamble.</summary>
    public const byte Version = 1;

    /// <summary>The largest frame header accepted, in bytes of UTF-8 JSON.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    /// <summary>
    /// The largest payload accepted: the 16 MiB call limit plus the same framing allowance the gRPC transport
    /// grants, so that whatever a client may send through a node fits one frame.
    /// </summary>
    public const int MaxPayloadBytes = 16 * 1024 * 1024 + 64;

    /// <summary>The preamble's length: the eight magic bytes and the version byte.</summary>
    public const int PreambleLength = 9;

    /// <summary>The content type every module must understand.</summary>
    public const string JsonContentType = "application/json";

    /// <summary>How long a module has to answer the welcome with its hello, unless configured otherwise.</summary>
    public static readonly TimeSpan DefaultHelloTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a module has to exit after a shutdown frame before it is killed, unless configured otherwise.</summary>
    public static readonly TimeSpan DefaultShutdownGrace = TimeSpan.FromSeconds(5);

    /// <summary>The eight ASCII bytes "SKEINMOD" that open each direction of the stream.</summary>
    public static ReadOnlySpan<byte> Magic => "SKEINMOD"u8;
}
