using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Skein.Modules.Stdio;
using Skein.Shared.Processes;

namespace Skein.Modules.Process;

/// <summary>
/// A module run as a child process that speaks the stdio protocol (docs/module-protocol.md): started, welcomed,
/// answering its hello with the services it offers, then serving the calls the node forwards to it. Calls in
/// flight fail at once, naming the module, when it exits; its stderr goes to the node's log with its name.
/// </summary>
/// <remarks>
/// The module leads its own process group (<see cref="ModuleProcessLauncher"/>): when it ends, or is stopped or
/// killed, the whole group is killed, so no child it started outlives it holding its pipes; and the node never waits
/// long on a pipe that a process which left the group still holds.
/// </remarks>
public sealed partial class ProcessModule : IAsyncDisposable
{
    private readonly CommandProcess _process;
    private readonly Task _processExit;
    private readonly StdioFrameWriter _writer;
    private readonly StdioFrameReader _reader;
    private readonly ProcessModuleOptions _options;
    private readonly ILogger _logger;
    private readonly StderrTail _stderr = new();
    private readonly FloodGuard _flood;
    private StderrPump? _stderrPump;
    private readonly ConcurrentDictionary<ulong, ForwardedCall> _calls = new();
    private readonly TaskCompletionSource<string> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _node;
    private long _nextConversation;
    private Task _reading = Task.CompletedTask;
    private int _stopping;

    /// <summary>How long the reader may still take, once the module's group is gone, before its stdout is closed under it.</summary>
    private static readonly TimeSpan ReadDrain = TimeSpan.FromSeconds(2);

    private ProcessModule(string name, string path, CommandProcess process, ProcessModuleOptions options, string node, ILogger logger)
    {
        Name = name;
        Path = path;
        _process = process;
        _processExit = process.WaitForExitAsync(CancellationToken.None);
        ProcessId = process.Id;
        _options = options;
        _node = node;
        _logger = logger;
        _writer = new StdioFrameWriter(process.StandardInput!);
        _reader = new StdioFrameReader(process.StandardOutput.BaseStream);
        _flood = new FloodGuard(options.MaxUnsolicitedFramesPerSecond, options.MaxUnsolicitedBytesPerSecond, options.Time);
    }

    /// <summary>What <see cref="Exited"/> says when the module was asked to stop rather than ending on its own.</summary>
    public const string StoppedReason = "stopped";

    public string Name { get; }

    public string Path { get; }

    /// <summary>The process's id, also its process group's (kept: it stays readable after the process is gone).</summary>
    public int ProcessId { get; }

    /// <summary>The process's exit code once it has exited; null before.</summary>
    public int? ExitCode => _exitCode;

    private int? _exitCode;

    // What the module was loaded as: its welcome carries the request's arguments and configuration.
    private ModuleLoadRequest _welcome = null!;

    /// <summary>
    /// Why the node stopped the process, when it did so for the process's own fault ("flooded stdout: …", "broke the
    /// stdio protocol: …"); null when it exited by itself or was asked to stop.
    /// </summary>
    public string? Cause { get; private set; }

    /// <summary>The last lines the process wrote to stderr.</summary>
    public string StderrTail => _stderr.ToString();

    /// <summary>True until the process has exited or been stopped.</summary>
    public bool IsRunning => !_exited.Task.IsCompleted;

    /// <summary>The services the module's hello offered.</summary>
    public IReadOnlyList<StdioServiceDescription> Services { get; private set; } = [];

    /// <summary>Completes with the reason when the process has exited (or was stopped).</summary>
    public Task<string> Exited => _exited.Task;

    /// <summary>
    /// Starts <paramref name="path"/> (a .py file through python3, anything else as an executable), welcomes it
    /// and waits for its hello. A process that exits first, sends something that is not the protocol, or stays
    /// silent past the hello timeout fails this with its name, and the process is gone afterwards.
    /// </summary>
    public static async Task<ProcessModule> StartAsync(ModuleLoadRequest request, ProcessModuleOptions? options, ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!File.Exists(request.Path)) throw new SkeinException($"module not found: {request.Path}");
        return await StartAsync(request, Command(request.Path), options, logger, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the module with <paramref name="start"/> (its program and arguments; the rest is set here) — for loaders
    /// whose module is run by another program, as an isolated assembly is by the module host.
    /// </summary>
    internal static async Task<ProcessModule> StartAsync(ModuleLoadRequest request, ProcessStartInfo start, ProcessModuleOptions? options, ILogger logger,
        CancellationToken cancellationToken)
    {
        options ??= new ProcessModuleOptions();
        options.Validate();
        var (name, node) = (request.Name, request.Node);
        var full = request.Path;
        // Checked at every start, restarts included: the file may have been swapped for a link since the load.
        request.AllowedPaths?.Check(full, node);
        // Too large to fit its welcome: the request's fault, said so before anything starts rather than blamed on the module.
        if ((ModuleRequestRules.ArgumentsProblem(request.Arguments) ?? ModuleRequestRules.ConfigProblem(request.Config)) is { } tooLarge)
            throw new SkeinException($"module {name}: {tooLarge}");
        KeyValuePair<string, string>[] environment = [new("SKEIN_MODULE_PROTOCOL", "1"), new("SKEIN_MODULE", name), new("SKEIN_NODE", node)];
        CommandProcess process;
        try
        {
            process = ModuleProcessLauncher.Start(start.FileName, start.ArgumentList, System.IO.Path.GetDirectoryName(full)!, environment);
        }
        catch (CommandStartException ex)
        {
            throw new SkeinException($"module {name}: cannot start {full}: {ex.Message}", ex);
        }
        var module = new ProcessModule(name, full, process, options, node, logger) { _welcome = request };
        module._stderrPump = new StderrPump(module._stderr, options, line => module.LogStderr(name, line), dropped => module.LogStderrDropped(name, dropped));
        module._stderrPump.Start(process.StandardError.BaseStream);
        try
        {
            await module.HandshakeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var reason = await module.FailStartAsync(ex).ConfigureAwait(false);
            module._process.Dispose(); // its pipes: nothing reads them any more
            throw new ModuleStartFailedException(reason, ex);
        }
        catch
        {
            await module.KillAsync().ConfigureAwait(false);
            module._process.Dispose();
            throw;
        }
        module._reading = Task.Run(module.ReadAsync, CancellationToken.None);
        _ = module.WatchExitAsync();
        return module;
    }

    private static ProcessStartInfo Command(string path)
    {
        if (path.EndsWith(".py", StringComparison.OrdinalIgnoreCase))
        {
            var start = new ProcessStartInfo("python3");
            start.ArgumentList.Add("-u"); // unbuffered: frames must not wait in a buffer
            start.ArgumentList.Add(path);
            return start;
        }
        return new ProcessStartInfo(path);
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.HelloTimeout);
        var hello = ReadHelloAsync(timeout.Token);
        // A process that dies before its hello must not leave us waiting for the timeout.
        var exited = _processExit;
        if (await Task.WhenAny(hello, exited).ConfigureAwait(false) == exited)
        {
            _ = hello.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            throw new ModuleStartException($"exited with code {_process.ExitCode} before its hello");
        }
        try
        {
            Services = await hello.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ModuleStartException($"did not say hello within {_options.HelloTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is ModuleProtocolException or IOException or ModuleStartException)
        {
            // Its stdout ended because it is exiting: the exit code says more than the end of the stream.
            if (await ExitsWithinAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false))
                throw new ModuleStartException($"exited with code {_process.ExitCode} before its hello");
            throw;
        }
    }

    private async Task<bool> ExitsWithinAsync(TimeSpan time)
    {
        try
        {
            await _processExit.WaitAsync(time).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task<IReadOnlyList<StdioServiceDescription>> ReadHelloAsync(CancellationToken cancellationToken)
    {
        await _writer.WritePreambleAsync(cancellationToken).ConfigureAwait(false);
        await _writer.WriteFrameAsync(new StdioFrame(new StdioFrameHeader
        {
            Kind = StdioFrameKind.Welcome,
            Module = Name,
            Id = $"{_node}/{Name}",
            Args = _welcome.Arguments,
            Config = _welcome.Config,
        }), cancellationToken).ConfigureAwait(false);
        var frame = await _reader.ReadFrameAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new ModuleStartException("closed its stdout before its hello");
        if (frame.Kind != StdioFrameKind.Hello) throw new ModuleStartException($"answered the welcome with '{frame.Kind}' instead of a hello");
        var services = frame.Header.Services ?? [];
        if (services.Count == 0) throw new ModuleStartException("offered no services in its hello");
        return services;
    }

    // The last stderr lines explain an exit best, but a grandchild may hold the pipe open: wait only briefly for them.
    private async Task StderrReadAsync()
    {
        if (_stderrPump is not { } pump) return;
        try
        {
            await pump.Completion.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Reported with what has arrived so far.
        }
    }

    private async Task<string> FailStartAsync(Exception ex)
    {
        await KillAsync().ConfigureAwait(false);
        await StderrReadAsync().ConfigureAwait(false);
        var why = ex switch
        {
            ModuleStartException start => start.Message,
            ModuleProtocolException protocol => $"broke the stdio protocol: {protocol.Message}",
            IOException io => $"closed its pipes: {io.Message}",
            _ => ex.Message,
        };
        return $"module {Name} ({Path}) {why}; its last stderr lines:{Environment.NewLine}{_stderr}";
    }

    /// <summary>
    /// Forwards a call from a client connection; the answers go to <paramref name="replies"/> under the caller's
    /// conversation. Returns the module's number for the call, for <see cref="Cancel"/>.
    /// </summary>
    public ulong Forward(in ModuleCall call, IModuleReplies replies)
    {
        ArgumentNullException.ThrowIfNull(replies);
        var id = (ulong)Interlocked.Increment(ref _nextConversation);
        _calls[id] = new ForwardedCall(call.Conversation, call.Service, call.Method, replies, IsStreaming(call.Service, call.Method));
        if (_exited.Task.IsCompleted && _calls.TryRemove(id, out var late))
        {
            late.Replies.Send(ModuleReply.Failed(call.Conversation,
                new ModuleError(RemoteErrorKind.Unavailable, $"module {Name} is not running ({_exited.Task.Result})", call.Service, call.Method)));
            return id;
        }
        _ = WriteAsync(new StdioFrame(new StdioFrameHeader
        {
            Kind = StdioFrameKind.Request,
            Conversation = id,
            Service = call.Service,
            Method = call.Method,
            Instance = call.Instance == 0 ? null : call.Instance,
            ContentType = JsonContentType,
            TimeoutMs = call.TimeoutMs == 0 ? null : call.TimeoutMs,
        }, call.Arguments));
        return id;
    }

    /// <summary>Tells the module that per-connection object <paramref name="instance"/> of <paramref name="service"/> is no longer used.</summary>
    public void Release(ulong instance, string service) =>
        _ = WriteAsync(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Release, Instance = instance, Service = service }));

    /// <summary>Tells the module the caller gave up; false when the call had already been answered (or failed).</summary>
    public bool Cancel(ulong conversation)
    {
        if (!_calls.TryRemove(conversation, out _)) return false;
        _ = WriteAsync(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Cancel, Conversation = conversation }));
        return true;
    }

    /// <summary>The media type modules read and, unless they say otherwise, answer in.</summary>
    public const string JsonContentType = "application/json";

    private async Task WriteAsync(StdioFrame frame)
    {
        try
        {
            await _writer.WriteFrameAsync(frame, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or ModuleProtocolException or InvalidOperationException)
        {
            // The process is going or gone: its exit fails the calls waiting on it.
            LogWriteFailed(Name, ex.Message);
        }
    }

    private async Task ReadAsync()
    {
        string reason;
        try
        {
            while (await _reader.ReadFrameAsync(CancellationToken.None).ConfigureAwait(false) is { } frame) Dispatch(frame);
            reason = "closed its stdout";
        }
        catch (ModuleFloodedException ex)
        {
            reason = Cause = ex.Message;
            LogFlooded(Name, ex.Message);
            await KillAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ModuleProtocolException or IOException or ObjectDisposedException)
        {
            reason = $"broke the stdio protocol: {ex.Message}";
            if (Volatile.Read(ref _stopping) == 0 && !_processExit.IsCompleted) Cause = reason;
            await KillAsync().ConfigureAwait(false);
        }
        await _processExit.ConfigureAwait(false);
        EndGroup();
        await StderrReadAsync().ConfigureAwait(false);
        End(Volatile.Read(ref _stopping) != 0 ? StoppedReason : $"{reason}; exited with code {_process.ExitCode}");
    }

    private async Task WatchExitAsync()
    {
        await _processExit.ConfigureAwait(false);
        // Its children go with it: one still holding its stdout would keep the reader (and a stop) waiting forever.
        EndGroup();
        await StderrReadAsync().ConfigureAwait(false);
        if (Cause is not null) return; // the reader stopped it, and its End says why
        if (Volatile.Read(ref _stopping) == 0) End($"exited with code {_process.ExitCode}");
    }

    private void End(string reason)
    {
        try
        {
            if (_processExit.IsCompleted) _exitCode ??= _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            // Disposed meanwhile: the code is unknown.
        }
        if (!_exited.TrySetResult(reason)) return;
        if (Volatile.Read(ref _stopping) == 0) LogExited(Name, reason, _stderr.ToString());
        foreach (var id in _calls.Keys)
        {
            if (!_calls.TryRemove(id, out var call)) continue;
            call.Replies.Send(ModuleReply.Failed(call.Conversation,
                new ModuleError(RemoteErrorKind.Unavailable, $"module {Name} {reason} while serving this call", call.Service, call.Method)));
        }
    }

    private void Dispatch(StdioFrame frame)
    {
        switch (frame.Kind)
        {
            case StdioFrameKind.Response or StdioFrameKind.StreamItem:
                var id = frame.Header.Conversation ?? 0;
                var done = frame.Kind == StdioFrameKind.Response;
                if (!(done ? _calls.TryRemove(id, out var call) : _calls.TryGetValue(id, out call)))
                {
                    Unsolicited(frame); // cancelled meanwhile, or never asked for
                    return;
                }
                if (AnswerProblem(frame, call) is { } problem) Refuse(frame, id, call, problem);
                call.Replies.Send(ToReply(frame, call));
                break;
            case StdioFrameKind.Log:
                Unsolicited(frame);
                LogFromModule(Name, frame.Header.Level ?? "info", frame.Header.Message ?? "");
                break;
            case StdioFrameKind.Event:
                Unsolicited(frame);
                Published?.Invoke(frame.Header.Subject ?? "", frame.Payload);
                break;
            default:
                LogUnexpectedFrame(Name, frame.Kind.ToString());
                break;
        }
    }

    /// <summary>
    /// What is wrong with an answer, judged by what the module's hello declared: a stream item for a method that does
    /// not stream, or a result or item that claims to be JSON and is not. Null when it may go to the caller.
    /// </summary>
    private static string? AnswerProblem(StdioFrame frame, ForwardedCall call)
    {
        if (frame.Kind == StdioFrameKind.StreamItem && !call.Streaming)
            return $"sent a stream item for {call.Service}.{call.Method}, which its hello does not declare streaming";
        if (frame.Header.Status == StdioStatus.Error) return null;
        if (frame.Header.ContentType is { } type && !type.StartsWith(JsonContentType, StringComparison.OrdinalIgnoreCase)) return null;
        // A unary method's empty result is null, and a stream's closing response carries nothing; an item always carries a value.
        if (frame.Payload.IsEmpty && frame.Kind == StdioFrameKind.Response) return null;
        return JsonProblem(frame.Payload.Span) is { } json
            ? $"answered {call.Service}.{call.Method} with a {(frame.Kind == StdioFrameKind.StreamItem ? "stream item" : "result")} that is not valid JSON: {json}"
            : null;
    }

    private static string? JsonProblem(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty) return "it is empty";
        // The JSON reader checks UTF-8 inside strings only when they are decoded; the caller would decode them.
        if (!System.Text.Unicode.Utf8.IsValid(payload)) return "it is not valid UTF-8";
        try
        {
            // Deep enough for any real value; the reader keeps its depth in bits, so this costs nothing.
            var reader = new System.Text.Json.Utf8JsonReader(payload, new System.Text.Json.JsonReaderOptions { MaxDepth = 1024 });
            if (!reader.Read()) return "it holds no value";
            reader.Skip();
            return reader.Read() ? "more data after the value" : null;
        }
        catch (System.Text.Json.JsonException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>
    /// A protocol error of the module's: the call it answered fails, naming the module and the method, and the read loop
    /// stops the module (docs/module-protocol.md, section 4), so its supervisor restarts it by its policy.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Refuse(StdioFrame frame, ulong id, ForwardedCall call, string problem)
    {
        // A response took the call out already; a stream item's call is still there, unless the exit failed it meanwhile.
        if (frame.Kind == StdioFrameKind.Response || _calls.TryRemove(id, out _))
        {
            call.Replies.Send(ModuleReply.Failed(call.Conversation, new ModuleError(RemoteErrorKind.Internal,
                $"module {Name} broke the stdio protocol: {problem}; the module is stopped", call.Service, call.Method)));
        }
        throw new ModuleProtocolException(problem);
    }

    /// <summary>Whether the hello declares the method streaming; a call by the Python name (running_mean for RunningMean) finds it too.</summary>
    private bool IsStreaming(string service, string method)
    {
        var offered = Services.FirstOrDefault(s => string.Equals(s.Name, service, StringComparison.Ordinal));
        if (offered is null) return false;
        var declared = offered.Methods.FirstOrDefault(m => string.Equals(m.Name, method, StringComparison.Ordinal))
            ?? offered.Methods.FirstOrDefault(m => string.Equals(Plain(m.Name), Plain(method), StringComparison.Ordinal));
        return declared?.Streaming ?? false;
    }

    private static string Plain(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    // A frame the node did not ask for counts against the flood budget; over it, the read loop stops the module.
    private void Unsolicited(StdioFrame frame)
    {
        // The header's size is estimated from its strings: encoding it again only to count it would cost more than the frame.
        var bytes = 64L + frame.Payload.Length + (frame.Header.Message?.Length ?? 0) + (frame.Header.Subject?.Length ?? 0);
        if (_flood.Count(bytes) is { } flooded) throw new ModuleFloodedException(flooded);
    }

    /// <summary>Events the module publishes (subject, JSON payload); the node puts them on the cluster's bus.</summary>
    public event Action<string, ReadOnlyMemory<byte>>? Published;

    private ModuleReply ToReply(StdioFrame frame, ForwardedCall call)
    {
        var item = frame.Kind == StdioFrameKind.StreamItem;
        if (item) call.Items++;
        // Numbered here, as the node numbers its own streams: items from 1, the closing response after them.
        var sequence = item ? call.Items : call.Items == 0 ? 0 : call.Items + 1;
        if (frame.Header.Status == StdioStatus.Error && frame.Header.Error is { } error)
        {
            return new ModuleReply
            {
                Conversation = call.Conversation,
                IsStreamItem = item,
                Sequence = sequence,
                ContentType = "",
                Error = error.Kind == RemoteErrorKind.Application
                    ? new ModuleError(RemoteErrorKind.Application, error.Message, call.Service, call.Method) { Type = error.Type, StackTrace = error.StackTrace ?? "" }
                    : new ModuleError(error.Kind, $"module {Name}: {error.Message}", call.Service, call.Method),
            };
        }
        return new ModuleReply
        {
            Conversation = call.Conversation,
            IsStreamItem = item,
            Sequence = sequence,
            ContentType = frame.Header.ContentType ?? JsonContentType,
            // A stream's closing response carries no value; an ordinary method's response always does.
            Payload = !item && sequence == 0 && frame.Payload.IsEmpty ? JsonNull : frame.Payload,
        };
    }

    private static readonly ReadOnlyMemory<byte> JsonNull = "null"u8.ToArray();

    /// <summary>Asks the module to shut down; kills it (and its children) after the grace period.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0)
        {
            await _exited.Task.ConfigureAwait(false);
            return;
        }
        if (!_exited.Task.IsCompleted && !_processExit.IsCompleted) // a process that is gone has no stdin to read it
            await WriteAsync(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Shutdown })).ConfigureAwait(false);
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(_options.ShutdownGrace);
        try
        {
            await _processExit.WaitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await KillAsync().ConfigureAwait(false);
        }
        EndGroup(); // what it started goes with it, even when it exited in time
        End(StoppedReason);
        await StopReadingAsync().ConfigureAwait(false);
    }

    /// <summary>Kills the module's whole process group and waits for the module itself to be gone.</summary>
    private async Task KillAsync()
    {
        ModuleProcessLauncher.KillGroup(ProcessId);
        await _processExit.ConfigureAwait(false);
        EndGroup();
    }

    /// <summary>
    /// Once the module has exited: kills what is left of its group, so its pipes close, and lets the pipes' readers see
    /// their end (they wait for the exit before believing it).
    /// </summary>
    private void EndGroup()
    {
        ModuleProcessLauncher.KillGroup(ProcessId);
        _process.CompleteOutputReads();
    }

    // The reader ends when the last holder of the module's stdout is gone. One that left the module's group (a daemon
    // that started its own session) may hold it for ever: after a short drain the node closes its end instead.
    private async Task StopReadingAsync()
    {
        try
        {
            await _reading.WaitAsync(ReadDrain).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _process.StandardOutput.BaseStream.Dispose();
            await _reading.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private sealed record ForwardedCall(ulong Conversation, string Service, string Method, IModuleReplies Replies, bool Streaming)
    {
        /// <summary>Stream items passed on so far: a stream's closing response must say it ends a stream.</summary>
        public ulong Items { get; set; }
    }

    private sealed class ModuleStartException(string message) : Exception(message);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "[{Module}] {Line}")]
    private partial void LogStderr(string module, string line);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "[{Module}] {Count} more stderr lines dropped: over the limit of lines per second")]
    private partial void LogStderrDropped(string module, int count);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Error, Message = "module {Module} {Reason}; stopping it")]
    private partial void LogFlooded(string module, string reason);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Information, Message = "[{Module}] {Level}: {Text}")]
    private partial void LogFromModule(string module, string level, string text);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Warning, Message = "module {Module} {Reason}; its last stderr lines: {Stderr}")]
    private partial void LogExited(string module, string reason, string stderr);

    [LoggerMessage(EventId = 3206, Level = LogLevel.Warning, Message = "module {Module}: could not write to it: {Reason}")]
    private partial void LogWriteFailed(string module, string reason);

    [LoggerMessage(EventId = 3207, Level = LogLevel.Warning, Message = "module {Module} sent an unexpected {Kind} frame; ignored")]
    private partial void LogUnexpectedFrame(string module, string kind);
}
