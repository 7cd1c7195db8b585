using Google.Protobuf;
using Grpc.Core;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services;
using Skein.Cluster.Services.Transport;

namespace Skein.Cluster.Tests.Services;

public sealed class FrameWriterTests
{
    [Fact]
    public async Task Small_envelopes_queued_ahead_of_one_at_the_limit_never_make_a_frame_over_the_transport_limit()
    {
        var writer = new FrameWriter();
        for (var i = 0; i < 50; i++) writer.Send(Payload(i, 5000));
        writer.Send(Payload(50, MessageLimits.DefaultMaxMessageBytes));
        for (var i = 51; i < 60; i++) writer.Send(Payload(i, 5000));
        writer.Complete();
        var stream = new CapturingStream();

        await writer.RunAsync(stream, TestContext.Current.CancellationToken);

        Assert.Equal(60, stream.Frames.Sum(f => f.Envelopes.Count));
        var largest = stream.Frames.MaxBy(f => f.CalculateSize())!;
        Assert.True(largest.CalculateSize() <= MessageLimits.TransportLimit(MessageLimits.DefaultMaxMessageBytes),
            $"a frame of {largest.Envelopes.Count} envelopes is {largest.CalculateSize()} bytes, over the transport limit of {MessageLimits.TransportLimit(MessageLimits.DefaultMaxMessageBytes)}");
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (ulong)i), stream.Frames.SelectMany(f => f.Envelopes).Select(e => e.ConversationId));
    }

    private static Envelope Payload(int id, int bytes) => new()
    {
        Kind = EnvelopeKind.Request, ConversationId = (ulong)id, Service = "echo", Method = "Bytes", Payload = ByteString.CopyFrom(new byte[bytes]),
    };

    private sealed class CapturingStream : IAsyncStreamWriter<Frame>
    {
        public List<Frame> Frames { get; } = [];

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(Frame message) => WriteAsync(message, CancellationToken.None);

        public Task WriteAsync(Frame message, CancellationToken cancellationToken)
        {
            Frames.Add(message);
            return Task.CompletedTask;
        }
    }
}
