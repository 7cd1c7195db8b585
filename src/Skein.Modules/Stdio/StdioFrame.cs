namespace Skein.Modules.Stdio;

/// <summary>One frame of stdio protocol v1: its header and its payload bytes (empty for most kinds but calls, results and events).</summary>
public sealed record StdioFrame(StdioFrameHeader Header, ReadOnlyMemory<byte> Payload)
{
    public StdioFrame(StdioFrameHeader header) : this(header, ReadOnlyMemory<byte>.Empty) { }

    public StdioFrameKind Kind => Header.Kind;
}
