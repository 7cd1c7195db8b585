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

    [Fact]
    public async Task Envelopes_sent_while_the_writer_is_held_leave_together_in_one_frame_at_its_release()
    {
        var counted = new FrameCounter();
        var writer = new FrameWriter(written: counted);
        var stream = new CapturingStream();
        var running = writer.RunAsync(stream, TestContext.Current.CancellationToken);

        writer.Hold();
        for (var i = 0; i < 5; i++) writer.Send(Payload(i, 10));
        await writer.SendAsync(Payload(5, 10), TestContext.Current.CancellationToken);
        Assert.Empty(stream.Frames);

        writer.Release();

        var frame = Assert.Single(stream.Frames);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (ulong)i), frame.Envelopes.Select(e => e.ConversationId));
        Assert.Equal((1, 6), (counted.Frames, counted.Envelopes));
        writer.Complete();
        await running;
    }

    [Fact]
    public async Task A_lone_envelope_is_written_at_once_on_the_senders_thread_when_nobody_holds_the_writer()
    {
        var writer = new FrameWriter();
        var stream = new CapturingStream();
        var running = writer.RunAsync(stream, TestContext.Current.CancellationToken);

        writer.Send(Payload(1, 10));

        Assert.Single(stream.Frames); // the stream's writes complete at once: written before Send returned
        writer.Complete();
        await running;
    }

    [Fact]
    public async Task A_sender_that_finds_the_queue_full_while_the_writer_is_held_waits_and_goes_in_order_after_the_release()
    {
        var writer = new FrameWriter(new SendQueueLimits { MaxEnvelopes = 2 });
        var stream = new CapturingStream();
        var running = writer.RunAsync(stream, TestContext.Current.CancellationToken);

        writer.Hold();
        await writer.SendAsync(Payload(0, 10), TestContext.Current.CancellationToken);
        await writer.SendAsync(Payload(1, 10), TestContext.Current.CancellationToken);
        var third = writer.SendAsync(Payload(2, 10), TestContext.Current.CancellationToken).AsTask();
        Assert.False(third.IsCompleted);
        Assert.Equal(1, writer.WaitingSenders);

        writer.Release();
        await third.WaitAsync(TestPatience.Ceiling, TestContext.Current.CancellationToken);
        writer.Complete();
        await running;

        Assert.Equal([0UL, 1UL, 2UL], stream.Frames.SelectMany(f => f.Envelopes).Select(e => e.ConversationId));
        Assert.True(writer.PeakQueuedEnvelopes <= 2);
    }

    [Fact]
    public async Task Completing_a_held_writer_still_writes_what_is_queued_and_ends()
    {
        var writer = new FrameWriter();
        var stream = new CapturingStream();
        var running = writer.RunAsync(stream, TestContext.Current.CancellationToken);
        writer.Hold();
        writer.Send(Payload(1, 10));

        writer.Complete();

        await running.WaitAsync(TestPatience.Ceiling, TestContext.Current.CancellationToken);
        Assert.Single(stream.Frames);
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
