using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Skein.Modules.Stdio;

/// <summary>
/// Reads the preamble, then frames, from one direction of a module's stdio (the node reads the module's stdout;
/// a module written in C# reads its stdin). One reader per stream, one read at a time.
/// </summary>
/// <remarks>
/// A plain <see cref="Stream"/> rather than System.IO.Pipelines: every frame announces its lengths up front, so
/// "read exactly N bytes" is all the parsing there is, and the payload must outlive the read anyway (it is handed
/// to a call, maybe queued), so it gets its own exact array — a pipe's segments would add a copy without saving
/// one. Reads go through a <see cref="BufferedStream"/> because a process pipe is unbuffered and the two 4-byte
/// lengths would otherwise cost a system call each.
/// Nothing is allocated from an untrusted length before that length is checked against the limits.
/// </remarks>
public sealed class StdioFrameReader
{
    private readonly Stream stream;
    private readonly byte[] lengthBuffer = new byte[4];
    private bool preambleRead;
    private bool faulted;

    public StdioFrameReader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        this.stream = stream as BufferedStream ?? new BufferedStream(stream, 64 * 1024);
    }

    /// <summary>Reads and checks the 9-byte preamble. <see cref="ReadFrameAsync"/> calls it first if nobody has.</summary>
    /// <exception cref="ModuleProtocolException">The stream does not start with SKEINMOD and version 1.</exception>
    public async ValueTask ReadPreambleAsync(CancellationToken cancellationToken)
    {
        if (preambleRead) return;
        EnterRead();
        await ReadPreambleCoreAsync(cancellationToken).ConfigureAwait(false);
        faulted = false;
    }

    private async ValueTask ReadPreambleCoreAsync(CancellationToken cancellationToken)
    {
        var preamble = new byte[StdioProtocol.PreambleLength];
        var read = await stream.ReadAtLeastAsync(preamble, preamble.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < preamble.Length && !preamble.AsSpan(0, read).SequenceEqual(StdioProtocol.Magic[..Math.Min(read, 8)]))
            throw new ModuleProtocolException($"expected the SKEINMOD preamble, got '{Printable(preamble.AsSpan(0, read))}' and then the end of the stream");
        if (read < preamble.Length)
            throw new ModuleProtocolException($"the stream ended after {read} bytes of the 9-byte SKEINMOD preamble");
        if (!preamble.AsSpan(0, 8).SequenceEqual(StdioProtocol.Magic))
            throw new ModuleProtocolException($"expected the SKEINMOD preamble, got '{Printable(preamble)}' (is the module printing to stdout?)");
        if (preamble[8] != StdioProtocol.Version)
            throw new ModuleProtocolException($"the other side speaks stdio protocol version {preamble[8]}; this side speaks version {StdioProtocol.Version}");
        preambleRead = true;
    }

    /// <summary>The next frame, or null when the stream ends cleanly between frames.</summary>
    /// <remarks>
    /// After any exception — a malformed frame, a broken pipe, or a cancellation (a hello timeout, say) — the
    /// stream may be positioned inside a frame, so the reader refuses to read on: cancel only to give up on the module.
    /// </remarks>
    /// <exception cref="ModuleProtocolException">A truncated or malformed frame, or an earlier read failed.</exception>
    public async ValueTask<StdioFrame?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        await ReadPreambleAsync(cancellationToken).ConfigureAwait(false);
        EnterRead();
        var frame = await ReadFrameCoreAsync(cancellationToken).ConfigureAwait(false);
        faulted = false;
        return frame;
    }

    // Marks the reader faulted until the read completes, so an exception (which skips the reset) leaves it faulted.
    private void EnterRead()
    {
        if (faulted) throw new ModuleProtocolException("an earlier read failed or was cancelled part-way; this stream cannot be read further");
        faulted = true;
    }

    private async ValueTask<StdioFrame?> ReadFrameCoreAsync(CancellationToken cancellationToken)
    {
        var first = await stream.ReadAtLeastAsync(lengthBuffer, 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (first == 0) return null;
        if (first < 4) throw Truncated("the header length");
        var headerLength = BinaryPrimitives.ReadUInt32BigEndian(lengthBuffer);
        if (headerLength > StdioProtocol.MaxHeaderBytes)
            throw new ModuleProtocolException($"frame header of {headerLength} bytes is over the 64 KiB limit");
        if (headerLength == 0) throw new ModuleProtocolException("frame header is empty");

        var headerBytes = ArrayPool<byte>.Shared.Rent((int)headerLength);
        StdioFrameHeader header;
        try
        {
            await ReadExactlyAsync(headerBytes.AsMemory(0, (int)headerLength), "the header", cancellationToken).ConfigureAwait(false);
            header = ParseHeader(headerBytes.AsSpan(0, (int)headerLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(headerBytes);
        }

        await ReadExactlyAsync(lengthBuffer, "the payload length", cancellationToken).ConfigureAwait(false);
        var payloadLength = BinaryPrimitives.ReadUInt32BigEndian(lengthBuffer);
        if (payloadLength > StdioProtocol.MaxPayloadBytes)
            throw new ModuleProtocolException($"frame payload of {payloadLength} bytes is over the limit of {StdioProtocol.MaxPayloadBytes} bytes (16 MiB + 64)");
        if (payloadLength == 0) return new StdioFrame(header);

        var payload = new byte[payloadLength];
        await ReadExactlyAsync(payload, "the payload", cancellationToken).ConfigureAwait(false);
        return new StdioFrame(header, payload);
    }

    /// <summary>Parses a header the way the reader does; exposed for tests and for peers that frame differently.</summary>
    internal static StdioFrameHeader ParseHeader(ReadOnlySpan<byte> json)
    {
        // The JSON reader only checks UTF-8 inside strings when they are decoded; say it plainly instead.
        if (!System.Text.Unicode.Utf8.IsValid(json)) throw new ModuleProtocolException("header is not JSON: it is not valid UTF-8");

        // A syntax pass first, so that "this is not JSON at all" (a stray print that happens to look like a length)
        // is told apart from "JSON, but not a frame header".
        try
        {
            var syntax = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!syntax.Read() || syntax.TokenType != JsonTokenType.StartObject)
                throw new ModuleProtocolException($"header is not a JSON object: '{Printable(json[..Math.Min(json.Length, 40)])}'");
            syntax.Skip();
            if (syntax.Read()) throw new ModuleProtocolException("header is not JSON: more data after the object");
        }
        catch (JsonException exception)
        {
            throw new ModuleProtocolException($"header is not JSON: {exception.Message}", exception);
        }

        StdioFrameHeader? header;
        try
        {
            header = JsonSerializer.Deserialize(json, StdioJsonContext.Default.StdioFrameHeader);
        }
        catch (JsonException exception)
        {
            throw new ModuleProtocolException($"header is not a stdio frame header: {exception.Message}", exception);
        }
        if (header is null) throw new ModuleProtocolException("header is not a JSON object: null");
        if (StdioHeaderRules.Problem(header) is { } problem) throw new ModuleProtocolException(problem);
        return header;
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> buffer, string part, CancellationToken cancellationToken)
    {
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < buffer.Length) throw Truncated(part);
    }

    private static ModuleProtocolException Truncated(string part) => new($"the stream ended in the middle of a frame, in {part}");

    // Shows what arrived instead of the preamble as text a person recognises ("Hello wor"), escaping the rest.
    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and < 0x7f) text.Append((char)b);
            else if (b == (byte)'\n') text.Append("\\n");
            else text.Append($"\\x{b:x2}");
        }
        return text.ToString();
    }
}
