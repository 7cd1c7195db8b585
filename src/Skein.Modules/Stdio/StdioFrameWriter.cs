using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;

namespace Skein.Modules.Stdio;

/// <summary>
/// Writes the preamble and frames to one direction of a module's stdio. Safe to call from many callers at once:
/// a frame is written whole before the next one starts, so frames never interleave.
/// </summary>
/// <remarks>
/// A <see cref="SemaphoreSlim"/> rather than a channel with a writer loop: callers want to know when their frame
/// is out (and to hear about a broken pipe), which awaiting the write itself gives for free. Headers are encoded
/// before the lock is taken, so the lock covers only the copy to the stream.
/// </remarks>
public sealed class StdioFrameWriter
{
    private readonly Stream stream;
    private readonly SemaphoreSlim gate = new(1, 1);
    private bool broken;

    public StdioFrameWriter(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        this.stream = stream;
    }

    /// <summary>Writes SKEINMOD and the version byte; must come before the first frame.</summary>
    public async ValueTask WritePreambleAsync(CancellationToken cancellationToken)
    {
        var preamble = new byte[StdioProtocol.PreambleLength];
        StdioProtocol.Magic.CopyTo(preamble);
        preamble[8] = StdioProtocol.Version;
        await WriteWholeAsync(preamble, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes one frame and flushes it.</summary>
    /// <exception cref="ModuleProtocolException">The header or payload is over its limit (nothing is written).</exception>
    public async ValueTask WriteFrameAsync(StdioFrame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (StdioHeaderRules.Problem(frame.Header) is { } problem) throw new ModuleProtocolException(problem);
        if (frame.Payload.Length > StdioProtocol.MaxPayloadBytes)
            throw new ModuleProtocolException($"frame payload of {frame.Payload.Length} bytes is over the limit of {StdioProtocol.MaxPayloadBytes} bytes (16 MiB + 64)");

        var header = JsonSerializer.SerializeToUtf8Bytes(frame.Header, StdioJsonContext.Default.StdioFrameHeader);
        if (header.Length > StdioProtocol.MaxHeaderBytes)
            throw new ModuleProtocolException($"frame header of {header.Length} bytes is over the 64 KiB limit");

        // Lengths, header and (when small) payload in one buffer, so a small frame is one write — one system call on a
        // pipe, and the module reads it whole; a large payload is written from where it is rather than copied.
        var prefixLength = 4 + header.Length + 4;
        var inline = frame.Payload.Length <= InlinePayloadBytes ? frame.Payload.Length : 0;
        var buffer = ArrayPool<byte>.Shared.Rent(prefixLength + inline);
        try
        {
            BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)header.Length);
            header.CopyTo(buffer, 4);
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4 + header.Length), (uint)frame.Payload.Length);
            frame.Payload.Span[..inline].CopyTo(buffer.AsSpan(prefixLength));
            var rest = inline == frame.Payload.Length ? ReadOnlyMemory<byte>.Empty : frame.Payload;
            await WriteWholeAsync(buffer.AsMemory(0, prefixLength + inline), rest, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Payloads up to this size are copied next to their header and written with it.</summary>
    private const int InlinePayloadBytes = 64 * 1024;

    private async ValueTask WriteWholeAsync(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A write interrupted half-way leaves the other side in the middle of a frame; nothing after it could
            // be read correctly, so refuse to pretend otherwise.
            if (broken) throw new ModuleProtocolException("an earlier frame was interrupted half-way; this stream can carry no more frames");
            broken = true;
            await stream.WriteAsync(first, cancellationToken).ConfigureAwait(false);
            if (!second.IsEmpty) await stream.WriteAsync(second, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            broken = false;
        }
        finally
        {
            gate.Release();
        }
    }
}
