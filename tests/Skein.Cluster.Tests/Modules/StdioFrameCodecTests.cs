using System.Text;
using System.Text.Json;
using Skein.Modules.Stdio;

namespace Skein.Cluster.Tests.Modules;

/// <summary>Every kind of frame survives the writer and the reader unchanged, whole, and in order.</summary>
public sealed class StdioFrameCodecTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string> Kinds() => new(Enum.GetNames<StdioFrameKind>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Every_kind_of_frame_round_trips(string kindName)
    {
        var sent = SampleFrame(Enum.Parse<StdioFrameKind>(kindName));

        var received = Assert.Single(await RoundTripAsync([sent]));

        Assert.Equal(sent.Kind, received.Kind);
        Assert.Equal(sent.Payload.ToArray(), received.Payload.ToArray());
        // Records compare lists and JsonElements by reference, so compare the headers as the wire sees them.
        Assert.Equal(Json(sent.Header), Json(received.Header));
    }

    [Fact]
    public async Task Headers_are_snake_case_and_leave_out_what_a_kind_does_not_use()
    {
        var stream = new MemoryStream();
        var writer = new StdioFrameWriter(stream);
        await writer.WriteFrameAsync(new StdioFrame(new StdioFrameHeader
        {
            Kind = StdioFrameKind.StreamItem, Conversation = 7, Sequence = 2, ContentType = StdioProtocol.JsonContentType,
        }, "1.5"u8.ToArray()), Token);

        var bytes = stream.ToArray();
        var headerLength = (bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
        var header = Encoding.UTF8.GetString(bytes, 4, headerLength);

        Assert.Equal("""{"kind":"stream_item","conversation":7,"sequence":2,"content_type":"application/json"}""", header);
        Assert.Equal(new byte[] { 0, 0, 0, 3 }, bytes[(4 + headerLength)..(8 + headerLength)]);
        Assert.Equal("1.5"u8.ToArray(), bytes[(8 + headerLength)..]);
    }

    [Fact]
    public async Task The_error_of_a_response_carries_its_kind_in_snake_case()
    {
        var sent = new StdioFrame(new StdioFrameHeader
        {
            Kind = StdioFrameKind.Response, Conversation = 3, Status = StdioStatus.Error,
            Error = new StdioError(RemoteErrorKind.MethodNotFound, "Skein.MethodNotFound", "no method Sum", "trace"),
        });

        var received = Assert.Single(await RoundTripAsync([sent]));

        Assert.Contains("\"kind\":\"method_not_found\"", Json(received.Header), StringComparison.Ordinal);
        Assert.Equal(sent.Header.Error, received.Header.Error);
    }

    [Fact]
    public async Task A_16_MiB_payload_round_trips_bit_exactly()
    {
        var payload = new byte[16 * 1024 * 1024 + 64];
        new Random(42).NextBytes(payload);
        var sent = new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Request, Conversation = 1, Service = "blob", Method = "Put" }, payload);

        var received = Assert.Single(await RoundTripAsync([sent]));

        Assert.True(payload.AsSpan().SequenceEqual(received.Payload.Span), "the payload came back different");
    }

    [Fact]
    public async Task Concurrent_writers_never_interleave_their_frames()
    {
        const int Writers = 8, FramesEach = 40;
        var stream = new TrickleStream();
        var writer = new StdioFrameWriter(stream);
        await writer.WritePreambleAsync(Token);

        // Each frame's payload is its conversation's byte repeated, with a length that varies: an interleaved
        // frame would show up as a wrong byte, a wrong length or an unreadable header.
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < FramesEach; i++)
            {
                var conversation = (ulong)(w * FramesEach + i);
                var payload = Enumerable.Repeat((byte)conversation, 1 + (int)(conversation * 37 % 3000)).ToArray();
                await writer.WriteFrameAsync(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.StreamItem, Conversation = conversation, Sequence = (ulong)i + 1 }, payload), Token);
            }
        }, Token)));

        stream.Position = 0;
        var reader = new StdioFrameReader(stream);
        var seen = new HashSet<ulong>();
        while (await reader.ReadFrameAsync(Token) is { } frame)
        {
            var conversation = frame.Header.Conversation!.Value;
            Assert.True(seen.Add(conversation), $"conversation {conversation} arrived twice");
            Assert.Equal(1 + (int)(conversation * 37 % 3000), frame.Payload.Length);
            Assert.All(frame.Payload.ToArray(), b => Assert.Equal((byte)conversation, b));
        }
        Assert.Equal(Writers * FramesEach, seen.Count);
    }

    [Fact]
    public async Task The_end_of_the_stream_between_frames_is_a_clean_end()
    {
        var frames = await RoundTripAsync([SampleFrame(StdioFrameKind.Shutdown), SampleFrame(StdioFrameKind.Log)]);

        Assert.Equal(new[] { StdioFrameKind.Shutdown, StdioFrameKind.Log }, frames.Select(f => f.Kind));
    }

    [Fact]
    public async Task A_header_with_fields_this_side_does_not_know_is_still_read()
    {
        var bytes = StdioBytes.Preamble().Concat(StdioBytes.Frame("""{"kind":"log","level":"info","message":"hi","from_the_future":[1,2]}""", [])).ToArray();

        var frame = await new StdioFrameReader(new MemoryStream(bytes)).ReadFrameAsync(Token);

        Assert.Equal("hi", frame!.Header.Message);
    }

    internal static StdioFrame SampleFrame(StdioFrameKind kind)
    {
        var json = "application/json";
        var header = kind switch
        {
            StdioFrameKind.Welcome => new StdioFrameHeader
            {
                Kind = kind, Module = "stats", Id = "node-1/stats", Args = ["--fast", "x y"],
                Config = JsonDocument.Parse("""{"precision":3,"names":["a","b"]}""").RootElement,
            },
            StdioFrameKind.Hello => new StdioFrameHeader
            {
                Kind = kind,
                Services =
                [
                    new StdioServiceDescription("stats", InstanceMode.Singleton,
                    [
                        new StdioMethodDescription("Mean", ["List[float]"], "float"),
                        new StdioMethodDescription("RunningMean", ["List[float]"], "Iterator[float]", Streaming: true),
                    ]),
                    new StdioServiceDescription("chat", InstanceMode.PerConnection, []),
                    new StdioServiceDescription("work", InstanceMode.Pooled, [new StdioMethodDescription("Do", [])]),
                ],
            },
            StdioFrameKind.Request => new StdioFrameHeader
            {
                Kind = kind, Conversation = ulong.MaxValue, Service = "stats", Method = "Mean", Instance = 4, ContentType = json, TimeoutMs = 30_000,
            },
            StdioFrameKind.Response => new StdioFrameHeader { Kind = kind, Conversation = 9, Status = StdioStatus.Ok, ContentType = json },
            StdioFrameKind.StreamItem => new StdioFrameHeader { Kind = kind, Conversation = 9, Sequence = 3, ContentType = json },
            StdioFrameKind.Cancel => new StdioFrameHeader { Kind = kind, Conversation = 9 },
            StdioFrameKind.Event => new StdioFrameHeader { Kind = kind, Subject = "stats.computed", ContentType = json },
            StdioFrameKind.Shutdown => new StdioFrameHeader { Kind = kind },
            StdioFrameKind.Log => new StdioFrameHeader { Kind = kind, Level = "warning", Message = "température élevée ✓" },
            StdioFrameKind.Release => new StdioFrameHeader { Kind = kind, Instance = 4 },
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var payload = kind is StdioFrameKind.Request ? "[[1,2,3,4]]"u8.ToArray()
            : kind is StdioFrameKind.Response or StdioFrameKind.StreamItem ? "2.5"u8.ToArray()
            : kind is StdioFrameKind.Event ? """{"n":4}"""u8.ToArray()
            : [];
        return new StdioFrame(header, payload);
    }

    private static async Task<List<StdioFrame>> RoundTripAsync(IReadOnlyList<StdioFrame> frames)
    {
        var stream = new MemoryStream();
        var writer = new StdioFrameWriter(stream);
        await writer.WritePreambleAsync(Token);
        foreach (var frame in frames) await writer.WriteFrameAsync(frame, Token);

        stream.Position = 0;
        var reader = new StdioFrameReader(stream);
        var received = new List<StdioFrame>();
        while (await reader.ReadFrameAsync(Token) is { } frame) received.Add(frame);
        return received;
    }

    private static string Json(StdioFrameHeader header) => JsonSerializer.Serialize(header, StdioJsonContext.Default.StdioFrameHeader);

    /// <summary>A memory stream that takes writes a few bytes at a time and yields between them, so unserialised writers would interleave.</summary>
    private sealed class TrickleStream : MemoryStream
    {
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            for (var offset = 0; offset < buffer.Length; offset += 509)
            {
                await Task.Yield();
                base.Write(buffer.Span[offset..Math.Min(buffer.Length, offset + 509)]);
            }
        }
    }
}
