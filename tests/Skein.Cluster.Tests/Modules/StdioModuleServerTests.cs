using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using Skein.Modules.Stdio;
using Skein.Yaml;

namespace Skein.Cluster.Tests.Modules;

/// <summary>The module side of the stdio protocol in C#, driven frame by frame from a node's side over in-memory pipes.</summary>
public sealed class StdioModuleServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Handshake_requests_cancel_release_and_shutdown_reach_the_handler_and_answers_leave_in_order()
    {
        await using var link = new Link();
        var handler = new RecordingHandler();
        var running = link.Server.RunAsync(handler, Ct);

        var hello = await link.HandshakeAsync("echoes");
        Assert.Equal("echoes", handler.Welcome!.Module);
        Assert.Equal(["echo"], hello.Services!.Select(s => s.Name));
        Assert.Equal("echoes", link.Server.Welcome!.Module);

        await link.Node.WriteFrameAsync(new StdioFrame(new StdioFrameHeader
        {
            Kind = StdioFrameKind.Request, Conversation = 7, Service = "echo", Method = "Count", ContentType = StdioProtocol.JsonContentType,
        }, Encoding.UTF8.GetBytes("[3]")), Ct);
        for (ulong i = 1; i <= 3; i++)
        {
            var item = await link.ReadAsync();
            Assert.Equal(StdioFrameKind.StreamItem, item.Kind);
            Assert.Equal(i, item.Header.Sequence);
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(item.Payload.Span));
        }
        var end = await link.ReadAsync();
        Assert.Equal(StdioFrameKind.Response, end.Kind);
        Assert.Equal(StdioStatus.Ok, end.Header.Status);
        Assert.Equal(7UL, end.Header.Conversation);

        await link.Node.WriteFrameAsync(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Cancel, Conversation = 9 }), Ct);
        await link.Node.WriteFrameAsync(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Release, Instance = 4, Service = "echo" }), Ct);
        await link.Node.WriteFrameAsync(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Shutdown }), Ct);
        await running.WaitAsync(TestPatience.Ceiling, Ct);

        Assert.Equal([9UL], handler.Cancelled);
        Assert.Equal([(4UL, (string?)"echo")], handler.Released);
        Assert.True(handler.Stopped);
    }

    [Fact]
    public async Task Errors_logs_and_events_are_frames_of_their_kinds()
    {
        await using var link = new Link();
        var running = link.Server.RunAsync(new RecordingHandler(), Ct);
        await link.HandshakeAsync("m");

        link.Server.Fail(3, new StdioError(RemoteErrorKind.Application, "System.InvalidOperationException", "no", "at X"));
        link.Server.Log("hi", "warning");
        link.Server.Publish("things.happened", "1"u8.ToArray());

        var failed = await link.ReadAsync();
        Assert.Equal(StdioStatus.Error, failed.Header.Status);
        Assert.Equal(new StdioError(RemoteErrorKind.Application, "System.InvalidOperationException", "no", "at X"), failed.Header.Error);
        var log = await link.ReadAsync();
        Assert.Equal((StdioFrameKind.Log, "warning", "hi"), (log.Kind, log.Header.Level, log.Header.Message));
        var published = await link.ReadAsync();
        Assert.Equal((StdioFrameKind.Event, "things.happened"), (published.Kind, published.Header.Subject));
        link.CloseNodeSide(); // the end of stdin ends the run as a shutdown does
        await running.WaitAsync(TestPatience.Ceiling, Ct);
    }

    [Fact]
    public async Task A_frame_only_a_module_may_send_is_a_protocol_error()
    {
        await using var link = new Link();
        var handler = new RecordingHandler();
        var running = link.Server.RunAsync(handler, Ct);
        await link.HandshakeAsync("m");

        await link.Node.WriteFrameAsync(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Log, Message = "backwards" }), Ct);

        var error = await Assert.ThrowsAsync<ModuleProtocolException>(() => running.WaitAsync(TestPatience.Ceiling, Ct));
        Assert.Equal("the node sent a 'log' frame, which only a module may send", error.Message);
        Assert.True(handler.Stopped);
    }

    /// <summary>Two in-memory pipes: the node's side writes the module's stdin and reads its stdout.</summary>
    private sealed class Link : IAsyncDisposable
    {
        private readonly Pipe _toModule = new();
        private readonly Pipe _fromModule = new();

        public Link()
        {
            Server = new StdioModuleServer(_toModule.Reader.AsStream(), _fromModule.Writer.AsStream());
            Node = new StdioFrameWriter(_toModule.Writer.AsStream());
            NodeReader = new StdioFrameReader(_fromModule.Reader.AsStream());
        }

        public StdioModuleServer Server { get; }

        public StdioFrameWriter Node { get; }

        public StdioFrameReader NodeReader { get; }

        public async Task<StdioFrameHeader> HandshakeAsync(string module)
        {
            await Node.WritePreambleAsync(Ct);
            await Node.WriteFrameAsync(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Welcome, Module = module, Id = "n/" + module }), Ct);
            var hello = await ReadAsync();
            Assert.Equal(StdioFrameKind.Hello, hello.Kind);
            return hello.Header;
        }

        public async Task<StdioFrame> ReadAsync() =>
            await NodeReader.ReadFrameAsync(Ct).AsTask().WaitAsync(TestPatience.Ceiling, Ct) ?? throw new InvalidOperationException("the module closed its stdout");

        public void CloseNodeSide() => _toModule.Writer.Complete();

        public ValueTask DisposeAsync()
        {
            _toModule.Writer.Complete();
            _fromModule.Writer.Complete();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>One service, "echo", whose Count(n) streams 1..n; everything else is recorded.</summary>
    private sealed class RecordingHandler : IStdioModuleHandler
    {
        private StdioModuleServer? _server;

        public StdioFrameHeader? Welcome { get; private set; }

        public ConcurrentQueue<ulong> Cancelled { get; } = new();

        public ConcurrentQueue<(ulong, string?)> Released { get; } = new();

        public bool Stopped { get; private set; }

        public Task<IReadOnlyList<StdioServiceDescription>> StartAsync(StdioFrameHeader welcome, StdioModuleServer server, CancellationToken cancellationToken)
        {
            Welcome = welcome;
            _server = server;
            return Task.FromResult<IReadOnlyList<StdioServiceDescription>>(
                [new StdioServiceDescription("echo", InstanceMode.Singleton, [new StdioMethodDescription("Count", ["int"], "int", Streaming: true)])]);
        }

        public void Request(StdioFrame request)
        {
            var conversation = request.Header.Conversation!.Value;
            var count = int.Parse(Encoding.UTF8.GetString(request.Payload.Span).Trim('[', ']'), System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 1; i <= count; i++) _server!.SendItem(conversation, (ulong)i, Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            _server!.Respond(conversation, ReadOnlyMemory<byte>.Empty);
        }

        public void Cancel(ulong conversation) => Cancelled.Enqueue(conversation);

        public void Release(ulong instance, string? service) => Released.Enqueue((instance, service));

        public ValueTask StopAsync()
        {
            Stopped = true;
            return ValueTask.CompletedTask;
        }
    }
}
