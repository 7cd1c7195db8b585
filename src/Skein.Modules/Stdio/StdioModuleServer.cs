using System.Threading.Channels;

namespace Skein.Modules.Stdio;

/// <summary>
/// The module's side of the stdio protocol (docs/module-protocol.md), for a module written in .NET — the C#
/// counterpart of the Python helper <c>sdk/python/skein_module.py</c>: it writes its preamble, reads the node's and the
/// welcome, says hello with what an <see cref="IStdioModuleHandler"/> offers, then hands it each request, cancel and
/// release until a shutdown or the end of stdin. Answers are queued and written by one loop, so the frames of one
/// conversation leave in the order they were given and never interleave.
/// </summary>
public sealed class StdioModuleServer
{
    private readonly StdioFrameReader _reader;
    private readonly StdioFrameWriter _writer;
    private readonly Channel<StdioFrame> _outgoing = Channel.CreateUnbounded<StdioFrame>(new UnboundedChannelOptions { SingleReader = true });

    /// <param name="input">Where the node's frames arrive (the process's stdin).</param>
    /// <param name="output">Where this module's frames go (the process's stdout, kept for frames alone).</param>
    public StdioModuleServer(Stream input, Stream output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        _reader = new StdioFrameReader(input);
        _writer = new StdioFrameWriter(output);
    }

    /// <summary>
    /// A server on this process's stdin and stdout. Stdout is claimed for frames: from here on <see cref="Console.Out"/>
    /// and (on Linux and macOS) the stdout descriptor itself point at stderr, so a stray <c>Console.WriteLine</c> or a
    /// native library's printf ends up in the node's log instead of corrupting the stream.
    /// </summary>
    public static StdioModuleServer ForConsole() => new(Console.OpenStandardInput(), ConsoleStdout.TakeForFrames());

    /// <summary>The welcome the node sent, once it has arrived.</summary>
    public StdioFrameHeader? Welcome { get; private set; }

    /// <summary>
    /// Runs the module: handshake, then frames until a shutdown or the end of stdin; returns after the handler has
    /// stopped and every queued frame is written.
    /// </summary>
    /// <exception cref="ModuleProtocolException">The node broke the protocol (its preamble, a malformed frame, a frame it may not send).</exception>
    public async Task RunAsync(IStdioModuleHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        await _writer.WritePreambleAsync(cancellationToken).ConfigureAwait(false);
        var welcome = await _reader.ReadFrameAsync(cancellationToken).ConfigureAwait(false);
        if (welcome is null) return; // the node went away before welcoming us
        if (welcome.Kind != StdioFrameKind.Welcome) throw new ModuleProtocolException($"expected a welcome from the node, got '{StdioFrameKindNames.ToWire(welcome.Kind)}'");
        Welcome = welcome.Header;
        var services = await handler.StartAsync(welcome.Header, this, cancellationToken).ConfigureAwait(false);
        await _writer.WriteFrameAsync(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Hello, Services = services }), cancellationToken).ConfigureAwait(false);
        var writing = WriteLoopAsync(cancellationToken);
        try
        {
            await ReadLoopAsync(handler, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await handler.StopAsync().ConfigureAwait(false);
            _outgoing.Writer.TryComplete();
            await writing.ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync(IStdioModuleHandler handler, CancellationToken cancellationToken)
    {
        while (await _reader.ReadFrameAsync(cancellationToken).ConfigureAwait(false) is { } frame)
        {
            switch (frame.Kind)
            {
                case StdioFrameKind.Request:
                    handler.Request(frame);
                    break;
                case StdioFrameKind.Cancel:
                    handler.Cancel(frame.Header.Conversation!.Value);
                    break;
                case StdioFrameKind.Release:
                    handler.Release(frame.Header.Instance!.Value, frame.Header.Service);
                    break;
                case StdioFrameKind.Shutdown:
                    return;
                default:
                    throw new ModuleProtocolException($"the node sent a '{StdioFrameKindNames.ToWire(frame.Kind)}' frame, which only a module may send");
            }
        }
    }

    // A broken stdout means the node is gone: nothing more can be said, and the read loop ends at stdin's end.
    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var frame in _outgoing.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await _writer.WriteFrameAsync(frame, cancellationToken).ConfigureAwait(false);
                }
                catch (ModuleProtocolException ex) when (frame.Header.Conversation is { } conversation && frame.Header.Status != StdioStatus.Error)
                {
                    // Refused before any of it was written (over a limit): the stream is whole, and the caller hears why.
                    await _writer.WriteFrameAsync(new StdioFrame(new StdioFrameHeader
                    {
                        Kind = StdioFrameKind.Response, Conversation = conversation, Status = StdioStatus.Error,
                        Error = new StdioError(RemoteErrorKind.MessageTooLarge, "Skein.MessageTooLarge", ex.Message),
                    }), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or ModuleProtocolException)
        {
            _outgoing.Writer.TryComplete();
        }
    }

    /// <summary>Queues a frame for the node; frames leave in the order they were queued.</summary>
    public void Send(StdioFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        _outgoing.Writer.TryWrite(frame); // refused only once the run is over, when nobody reads any more
    }

    /// <summary>Answers <paramref name="conversation"/> with its result (empty for a stream's end or a method without one).</summary>
    public void Respond(ulong conversation, ReadOnlyMemory<byte> result, string? contentType = null) =>
        Send(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Response, Conversation = conversation, Status = StdioStatus.Ok, ContentType = contentType }, result));

    /// <summary>Sends item <paramref name="sequence"/> (from 1) of a streaming method's answer.</summary>
    public void SendItem(ulong conversation, ulong sequence, ReadOnlyMemory<byte> item, string? contentType = null) =>
        Send(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.StreamItem, Conversation = conversation, Sequence = sequence, ContentType = contentType }, item));

    /// <summary>Ends <paramref name="conversation"/> with an error.</summary>
    public void Fail(ulong conversation, StdioError error) =>
        Send(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Response, Conversation = conversation, Status = StdioStatus.Error, Error = error }));

    /// <summary>A line for the node's log at <paramref name="level"/> (debug, info, warning, error).</summary>
    public void Log(string message, string level = "info") =>
        Send(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Log, Level = level, Message = message }));

    /// <summary>Publishes <paramref name="value"/> (JSON) on the cluster's event bus under <paramref name="subject"/>.</summary>
    public void Publish(string subject, ReadOnlyMemory<byte> value) =>
        Send(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Event, Subject = subject }, value));
}
