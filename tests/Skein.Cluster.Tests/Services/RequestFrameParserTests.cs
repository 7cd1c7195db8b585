using System.Buffers;
using Google.Protobuf;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Transport;

namespace Skein.Cluster.Tests.Services;

public sealed class RequestFrameParserTests
{
    [Fact]
    public void Every_field_of_an_envelope_is_read_here_or_sent_to_the_generated_parser()
    {
        var declared = Envelope.Descriptor.Fields.InFieldNumberOrder().Select(f => f.FieldNumber).ToHashSet();

        // The error (field 14) is only ever sent by nodes; a frame that carries one is read by the generated parser.
        Assert.Equal(declared, [.. RequestFrameParser.FieldsRead, Envelope.ErrorFieldNumber]);
    }

    [Fact]
    public void A_frame_of_requests_with_every_field_set_reads_as_the_generated_parser_reads_it()
    {
        var frame = new Frame { Envelopes = { Full(1), Full(2), new Envelope { Kind = EnvelopeKind.Cancel, ConversationId = 7 } } };

        Assert.True(RequestFrameParser.TryParse(frame.ToByteArray(), out var read));

        Assert.Equal(frame, read);
        Assert.Equal(Frame.Parser.ParseFrom(frame.ToByteArray()), read);
    }

    [Fact]
    public void The_names_every_request_repeats_are_the_same_strings_from_one_frame_to_the_next()
    {
        var first = RequestFrameParser.Parse(new ReadOnlySequence<byte>(new Frame { Envelopes = { Full(1) } }.ToByteArray()));
        var second = RequestFrameParser.Parse(new ReadOnlySequence<byte>(new Frame { Envelopes = { Full(2) } }.ToByteArray()));

        Assert.Same(first.Envelopes[0].Service, second.Envelopes[0].Service);
        Assert.Same(first.Envelopes[0].Method, second.Envelopes[0].Method);
        Assert.Same(first.Envelopes[0].ContentType, second.Envelopes[0].ContentType);
        Assert.Equal("test-echo", second.Envelopes[0].Service);
    }

    [Fact]
    public void An_envelope_with_an_error_or_an_unknown_field_is_read_by_the_generated_parser_and_keeps_everything()
    {
        var withError = new Frame { Envelopes = { new Envelope { Kind = EnvelopeKind.Response, Error = new RemoteError { Message = "boom" } } } };
        var unknown = Full(3).ToByteArray().Concat(new byte[] { 0xF8, 0x06, 0x2A }).ToArray(); // field 111, varint 42
        var withUnknown = new byte[] { 10 }.Concat(Varint(unknown.Length)).Concat(unknown).ToArray();

        Assert.False(RequestFrameParser.TryParse(withError.ToByteArray(), out _));
        Assert.False(RequestFrameParser.TryParse(withUnknown, out _));

        Assert.Equal(withError, RequestFrameParser.Parse(new ReadOnlySequence<byte>(withError.ToByteArray())));
        var read = RequestFrameParser.Parse(new ReadOnlySequence<byte>(withUnknown));
        Assert.Equal(Frame.Parser.ParseFrom(withUnknown), read);
        Assert.Equal(withUnknown, read.ToByteArray()); // the unknown field goes back out as it came
    }

    [Theory]
    [InlineData(new byte[] { 10, 50, 8 })] // an envelope longer than the frame
    [InlineData(new byte[] { 10, 2, 8, 0xFF })] // a varint cut short
    [InlineData(new byte[] { 10, 1, 0 })] // tag 0
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF })] // not a frame at all
    public void Bytes_that_are_not_a_frame_are_refused_as_the_generated_parser_refuses_them(byte[] garbage)
    {
        Assert.Throws<InvalidProtocolBufferException>(() => Frame.Parser.ParseFrom(garbage));

        Assert.Throws<InvalidProtocolBufferException>(() => RequestFrameParser.Parse(new ReadOnlySequence<byte>(garbage)));
    }

    [Fact]
    public void A_frame_split_across_buffers_reads_the_same_through_the_cache()
    {
        var bytes = new Frame { Envelopes = { Full(4), Full(5) } }.ToByteArray();
        var first = new Segment(bytes.AsMemory(0, 10));
        var last = first.Append(bytes.AsMemory(10));

        var read = RequestFrameParser.Parse(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));

        Assert.Equal(Frame.Parser.ParseFrom(bytes), read);
        Assert.Same(RequestFrameParser.Strings.Get("test-echo"u8), read.Envelopes[1].Service); // read here, not by the fallback
    }

    private static byte[] Varint(int value)
    {
        var bytes = new List<byte>();
        for (; value >= 0x80; value >>= 7) bytes.Add((byte)(value | 0x80));
        bytes.Add((byte)value);
        return [.. bytes];
    }

    private static Envelope Full(ulong conversation) => new()
    {
        Id = 1000 + conversation,
        Kind = EnvelopeKind.Request,
        ConversationId = conversation,
        Sequence = ulong.MaxValue,
        Sender = "client-ä",
        Service = "test-echo",
        Method = "Echo",
        Status = EnvelopeStatus.Ok,
        TimeoutMs = uint.MaxValue,
        TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        ContentType = "application/x-msgpack",
        Payload = ByteString.CopyFrom(1, 2, 3, 0x80, 0xFF),
        Instance = 42,
        StreamWindow = 16,
    };

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
