using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Skein.Modules.Stdio;

namespace Skein.Cluster.Tests.Modules;

/// <summary>
/// Generated garbage for the frame reader: random bytes, valid frames cut short or mutated at random, huge declared
/// lengths, headers that are not JSON. Whatever arrives, the reader only ever fails with its documented protocol error,
/// every read finishes (the whole input is there, so none may wait), and nothing is allocated for a declared length
/// before that length is checked.
/// </summary>
public sealed class StdioFrameReaderPropertyTests
{
    // A few hundred cases each: enough to find a crash, quick on a loaded machine.
    private static readonly Config Cases = Config.QuickThrowOnFailure.WithMaxTest(300);

    // The reader's own buffer (64 KiB), a header's parsing and slack: what a read may take beyond what it was given.
    private const long Overhead = 1024 * 1024;

    private static readonly Gen<byte> AnyByte = Gen.Choose(0, 255).Select(b => (byte)b);

    [Fact]
    public void Random_bytes_after_the_preamble_or_without_it_are_read_safely()
    {
        var input = Gen.OneOf(
            Gen.ArrayOf(AnyByte),
            Gen.ArrayOf(AnyByte).Select(bytes => (byte[])[.. StdioBytes.Preamble(), .. bytes]));

        Check.One(Cases, Prop.ForAll(input.ToArbitrary(), ReadsSafely));
    }

    [Fact]
    public void Valid_frames_cut_short_anywhere_are_read_safely()
    {
        var input =
            from frames in ValidStream
            from cut in Gen.Choose(0, frames.Length)
            select frames[..cut];

        Check.One(Cases, Prop.ForAll(input.ToArbitrary(), ReadsSafely));
    }

    [Fact]
    public void Valid_frames_with_random_bytes_changed_are_read_safely()
    {
        var input =
            from frames in ValidStream
            from changes in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, frames.Length - 1), AnyByte), 8)
            select Mutate(frames, changes);

        Check.One(Cases, Prop.ForAll(input.ToArbitrary(), ReadsSafely));
    }

    [Fact]
    public void Headers_that_are_not_frame_headers_are_refused_with_the_protocol_error()
    {
        var junk = Gen.Elements("{", "}", "[", "]", "\"", ":", ",", "kind", "log", "message", "null", "true", "1e999", "-", "\\u", "\u00e9", " ", "{}", "\"kind\"");
        var header = Gen.ArrayOf(junk).Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts))).Where(bytes => bytes.Length > 0);
        var input = header.Select(bytes => (byte[])[.. StdioBytes.Preamble(), .. StdioBytes.Frame(bytes, [])]);

        Check.One(Cases, Prop.ForAll(input.ToArbitrary(), ReadsSafely));
    }

    [Fact]
    public void A_huge_declared_length_is_refused_before_anything_is_allocated_for_it()
    {
        var header = "{\"kind\":\"log\",\"message\":\"hi\"}"u8.ToArray();
        var hugeHeader = Gen.Choose(StdioProtocol.MaxHeaderBytes + 1, int.MaxValue).Select(length => (byte[])[.. StdioBytes.Preamble(), .. StdioBytes.Length(length)]);
        var hugePayload = Gen.Choose(StdioProtocol.MaxPayloadBytes + 1, int.MaxValue)
            .Select(length => (byte[])[.. StdioBytes.Preamble(), .. StdioBytes.Length(header.Length), .. header, .. StdioBytes.Length(length)]);
        var topBit = Gen.Constant((byte[])[.. StdioBytes.Preamble(), .. StdioBytes.Length(uint.MaxValue)]);

        Check.One(Cases, Prop.ForAll(Gen.OneOf(hugeHeader, hugePayload, topBit).ToArbitrary(), input =>
        {
            var (error, allocated) = Read(input);
            return error is not null && error.Message.Contains("over the", StringComparison.Ordinal) && allocated < Overhead;
        }));
    }

    /// <summary>A stream of one to four valid frames, as the writer writes them, preamble first.</summary>
    private static Gen<byte[]> ValidStream =>
        from frames in Gen.ArrayOf(ValidFrame).Select(all => all.Take(4).ToArray())
        select Written(frames);

    private static Gen<StdioFrame> ValidFrame =>
        from kind in Gen.Choose(0, 3)
        from text in Gen.Elements("hi", "", "naïve ✓", "a \"quoted\" word", new string('x', 300))
        from payload in Gen.ArrayOf(AnyByte)
        from conversation in Gen.Choose(1, 1000)
        select kind switch
        {
            0 => new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Log, Level = "info", Message = text }),
            1 => new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Event, Subject = "a.b" }, payload),
            2 => new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.StreamItem, Conversation = (ulong)conversation, Sequence = 1 }, payload),
            _ => new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Response, Conversation = (ulong)conversation, Status = StdioStatus.Ok }, payload),
        };

    private static byte[] Written(StdioFrame[] frames)
    {
        using var stream = new MemoryStream();
        var writer = new StdioFrameWriter(stream);
        writer.WritePreambleAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        foreach (var frame in frames) writer.WriteFrameAsync(frame, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return stream.ToArray();
    }

    private static byte[] Mutate(byte[] frames, (int Position, byte Value)[] changes)
    {
        var mutated = (byte[])frames.Clone();
        foreach (var (position, value) in changes) mutated[position] = value;
        return mutated;
    }

    private static bool ReadsSafely(byte[] input)
    {
        var (_, allocated) = Read(input);
        // Every frame's bytes were given, and a payload is only allocated once its length passed the limit: what a read
        // takes is bounded by what it was given, plus one payload at most (declared, within the limit, then cut short).
        return allocated <= 16L * input.Length + StdioProtocol.MaxPayloadBytes + Overhead;
    }

    /// <summary>
    /// Reads frames until the end or the first error, which must be the protocol's; any other exception fails the
    /// property. Each read must complete at once: the whole input is in memory, so a read that waits would wait for ever.
    /// </summary>
    private static (ModuleProtocolException? Error, long Allocated) Read(byte[] input)
    {
        var reader = new StdioFrameReader(new MemoryStream(input, writable: false));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var frames = 0;
        try
        {
            while (true)
            {
                var read = reader.ReadFrameAsync(CancellationToken.None);
                if (!read.IsCompleted) throw new InvalidOperationException("a read of an input held in memory did not complete at once");
                if (read.GetAwaiter().GetResult() is null) break;
                // A frame takes at least 9 bytes (two lengths and a header byte): more frames than that is a loop.
                if (++frames > input.Length / 9 + 1) throw new InvalidOperationException($"{frames} frames read from {input.Length} bytes");
            }
            return (null, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        catch (ModuleProtocolException error)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            // Refused once, refused for good: the reader never resynchronises.
            var again = reader.ReadFrameAsync(CancellationToken.None);
            Assert.Throws<ModuleProtocolException>(() => again.GetAwaiter().GetResult());
            return (error, allocated);
        }
    }
}
