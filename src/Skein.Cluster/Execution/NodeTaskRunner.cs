using Skein.Shared.Text;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Skein.Cluster.Protocol.Tasks;
using Skein.Engine;

namespace Skein.Cluster.Execution;

/// <summary>
/// A node's task runner (tasks.proto TaskRunner): runs one attempt of a command per call through the engine's own
/// command runner — its own process group, kill grace, <c>::result</c> lines — and streams its output back while it
/// runs. The call is the attempt's lifeline: Stop, or the call breaking (the executor gave the attempt up, or is
/// gone), stops the command, SIGTERM then SIGKILL after its grace.
/// </summary>
internal sealed partial class NodeTaskRunner(string nodeName, string stateDirectory, ILogger logger)
{
    /// <summary>Most output held for a caller that reads slowly; beyond it output is dropped, and the log says so.</summary>
    internal const int MaxPendingOutputChars = 8 * 1024 * 1024;

    private const int MaxOutputMessageChars = 256 * 1024;
    private const int MaxMarkerBytes = 256;

    private readonly ConcurrentDictionary<string, byte> _running = new(StringComparer.Ordinal);

    // Attempts whose call broke while they ran (their run gave them up, or its coordinator died): being stopped.
    private readonly Lock _abandonedLock = new();
    private readonly HashSet<string> _abandoned = new(StringComparer.Ordinal);
    private TaskCompletionSource _abandonedEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string NodeName { get; } = nodeName;

    /// <summary>How many attempts run here now.</summary>
    public int Running => _running.Count;

    /// <summary>
    /// Completes once no attempt whose call broke is still being stopped here. A node waits for it before it joins a
    /// coordinator again: a restarted coordinator re-runs what its runs had on nodes, and must neither find the old
    /// attempt still running beside the new one nor count the node's room free while it still holds it.
    /// </summary>
    public async Task WaitForAbandonedAsync(CancellationToken cancellationToken)
    {
        var told = false;
        while (true)
        {
            Task ended;
            lock (_abandonedLock)
            {
                if (_abandoned.Count == 0) return;
                ended = _abandonedEnded.Task;
                if (!told) LogWaitingForAbandoned(NodeName, _abandoned.Count);
                told = true;
            }
            await ended.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Abandoned(string attemptId)
    {
        lock (_abandonedLock) _abandoned.Add(attemptId);
    }

    private void Ended(string attemptId)
    {
        lock (_abandonedLock)
        {
            if (!_abandoned.Remove(attemptId)) return;
            var ended = _abandonedEnded;
            _abandonedEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ended.TrySetResult();
        }
    }

    public async Task RunAsync(IAsyncStreamReader<RunnerRequest> requests, IServerStreamWriter<RunnerUpdate> responses, CancellationToken callEnded)
    {
        if (!await requests.MoveNext(callEnded).ConfigureAwait(false)) return;
        if (requests.Current.BodyCase != RunnerRequest.BodyOneofCase.Start)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "an attempt's call must start with Start"));
        var start = requests.Current.Start;
        if (start.AttemptId.Length is 0 or > 200)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "an attempt needs an id of at most 200 characters"));
        if (!_running.TryAdd(start.AttemptId, 0))
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"attempt {start.AttemptId} already runs on node {NodeName}"));
        var abandonment = callEnded.UnsafeRegister(static s =>
        {
            var (runner, attemptId) = ((NodeTaskRunner, string))s!;
            runner.Abandoned(attemptId);
        }, (this, start.AttemptId));
        try
        {
            await RunAttemptAsync(start, requests, responses, callEnded).ConfigureAwait(false);
        }
        finally
        {
            await abandonment.DisposeAsync().ConfigureAwait(false);
            _running.TryRemove(start.AttemptId, out _);
            Ended(start.AttemptId);
        }
    }

    private async Task RunAttemptAsync(StartAttempt start, IAsyncStreamReader<RunnerRequest> requests, IServerStreamWriter<RunnerUpdate> responses, CancellationToken callEnded)
    {
        using var stop = new CancellationTokenSource();
        var updates = new AttemptUpdates();
        var sending = SendAsync(updates, responses, callEnded);
        // Stop, the end of the caller's messages, or the call breaking: the attempt was given up, and its command goes.
        var listening = ListenForStopAsync(requests, stop);
        await using var _ = callEnded.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), stop).ConfigureAwait(false);

        ActionResult result;
        var reply = Google.Protobuf.ByteString.Empty;
        var stopped = false;
        var workdir = ChooseWorkdir(start, out var fresh, out var problem);
        if (problem is not null)
        {
            result = ActionResult.Errored(problem);
        }
        else
        {
            updates.Post(new RunnerUpdate { Started = new AttemptStarted { Node = NodeName, Workdir = workdir, FreshWorkdir = fresh } });
            var reporter = new StreamingReporter(updates, Path.Combine(workdir, ".skein-attempt.log"));
            try
            {
                if (start.Shipped is { } shipped) (result, reply) = await RunShippedAsync(start, shipped, workdir, reporter, stop.Token).ConfigureAwait(false);
                else result = await RunWithArtifactsAsync(start, workdir, CommandOf(start, workdir), reporter, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                stopped = true;
                result = new ActionResult(Outcome.Cancelled, "stopped");
                if (callEnded.IsCancellationRequested) LogAbandoned(NodeName, start.Task, start.Attempt, start.AttemptId);
            }
            if (reporter.Dropped > 0) updates.Post(new RunnerUpdate { Output = new AttemptOutput { Text = $"[skein: {reporter.Dropped} characters of output were dropped: the run read them too slowly]\n" } });
        }

        var finished = new AttemptFinished { Outcome = result.Outcome.ToWireName(), Message = result.Message ?? "", Stopped = stopped, Reply = reply };
        foreach (var (name, value) in result.Outputs) finished.Outputs[name] = value;
        AddArtifacts(finished, result);
        if (result.ExitCode is { } code)
        {
            finished.HasExitCode = true;
            finished.ExitCode = code;
        }
        updates.Post(new RunnerUpdate { Finished = finished });
        updates.Complete();
        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or RpcException)
        {
            // The caller is gone: nobody is left to tell.
        }
        await stop.CancelAsync().ConfigureAwait(false);
        await listening.ConfigureAwait(false);
    }

    private CommandAction CommandOf(StartAttempt start, string workdir) => new(new CommandSpec
    {
        Command = start.Command,
        WorkingDirectory = workdir,
        Environment = new Dictionary<string, string>(start.Environment, StringComparer.Ordinal) { ["SKEIN_NODE"] = NodeName },
        WarnExitCodes = [.. start.WarnExitCodes],
        KillGrace = KillGraceOf(start),
    });

    private static TimeSpan KillGraceOf(StartAttempt start) => TimeSpan.FromMilliseconds(Math.Clamp(start.KillGraceMs, 0, (long)TimeSpan.FromHours(1).TotalMilliseconds));

    private static async Task ListenForStopAsync(IAsyncStreamReader<RunnerRequest> requests, CancellationTokenSource stop)
    {
        try
        {
            while (await requests.MoveNext(stop.Token).ConfigureAwait(false))
            {
                if (requests.Current.BodyCase == RunnerRequest.BodyOneofCase.Stop) break;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or RpcException)
        {
            if (stop.IsCancellationRequested) return; // the attempt ended first
        }
        try
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The attempt ended meanwhile.
        }
    }

    private static async Task SendAsync(AttemptUpdates updates, IServerStreamWriter<RunnerUpdate> responses, CancellationToken ct)
    {
        await foreach (var update in updates.ReadAllAsync(MaxOutputMessageChars, ct).ConfigureAwait(false))
            await responses.WriteAsync(update, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The job file's directory when this node sees the same one (the marker the submitting side wrote there reads
    /// the same here; with no marker, the same host and the directory exists); a chosen <c>workdir:</c> as it is; else
    /// a fresh directory for this attempt under the node's state directory.
    /// </summary>
    internal string ChooseWorkdir(StartAttempt start, out bool fresh, out string? problem)
    {
        fresh = false;
        problem = null;
        var wanted = start.Workdir;
        if (start.WorkdirExplicit)
        {
            if (Directory.Exists(wanted)) return wanted;
            problem = $"working directory '{wanted}' does not exist on node {NodeName}";
            return wanted;
        }
        if (wanted.Length > 0 && Path.IsPathFullyQualified(wanted) && SeesSameDirectory(start)) return wanted;
        fresh = true;
        var directory = Path.Combine(stateDirectory, "attempts", $"{start.RunId}-{FileNames.Escape(start.Task)}-{start.Attempt}-{start.AttemptId[..Math.Min(8, start.AttemptId.Length)]}");
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot create a working directory for the attempt on node {NodeName}: {ex.Message}";
        }
        return directory;
    }

    // What a marker said, per directory, marker and secret: a run's attempts share a few directories, and each
    // answer holds for the run's life (the secret is new per run process). Bounded: cleared when it grows large.
    private readonly ConcurrentDictionary<(string Directory, string Marker, string Nonce), bool> _seen = new();
    private const int MaxSeen = 10_000;

    private bool SeesSameDirectory(StartAttempt start)
    {
        if (start.MarkerName.Length == 0) return ReadsSameDirectory(start);
        var key = (start.Workdir, start.MarkerName, start.MarkerNonce);
        if (_seen.TryGetValue(key, out var same)) return same;
        same = ReadsSameDirectory(start);
        if (_seen.Count >= MaxSeen) _seen.Clear();
        _seen[key] = same;
        return same;
    }

    private static bool ReadsSameDirectory(StartAttempt start)
    {
        if (start.MarkerName.Length > 0)
        {
            if (start.MarkerName.Contains('/') || start.MarkerName.Contains('\\') || start.MarkerName.StartsWith("..", StringComparison.Ordinal)) return false;
            try
            {
                var path = Path.Combine(start.Workdir, start.MarkerName);
                var info = new FileInfo(path);
                if (!info.Exists || info.Length > MaxMarkerBytes) return false;
                return File.ReadAllText(path) == start.MarkerNonce;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
        return start.Hostname.Length > 0 && string.Equals(start.Hostname, Environment.MachineName, StringComparison.OrdinalIgnoreCase) && Directory.Exists(start.Workdir);
    }

    /// <summary>What the command says while it runs, queued for the caller; output is bounded (<see cref="MaxPendingOutputChars"/>).</summary>
    private sealed class StreamingReporter(AttemptUpdates updates, string logPath) : IAttemptOutput
    {
        public string LogPath { get; } = logPath;

        public long Dropped => updates.DroppedChars;

        public void Report(string name, Outcome outcome, string? message = null) =>
            updates.Post(new RunnerUpdate { Result = new AttemptResult { Name = name, Outcome = outcome.ToWireName(), Message = message ?? "" } });

        public void Write(string text) => updates.PostOutput(text);
    }

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "node {Node}: attempt {Attempt} of task {Task} ({AttemptId}) was given up by its run; stopped it")]
    private partial void LogAbandoned(string node, string task, int attempt, string attemptId);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Information,
        Message = "node {Node}: waiting for {Count} attempts given up by their run to stop before joining the coordinator again")]
    private partial void LogWaitingForAbandoned(string node, int count);
}

/// <summary>The updates of one attempt in order; consecutive output is sent as one message.</summary>
internal sealed class AttemptUpdates
{
    private readonly Channel<RunnerUpdate> _channel = Channel.CreateUnbounded<RunnerUpdate>(new UnboundedChannelOptions { SingleReader = true });
    private long _pendingChars;
    private long _dropped;

    public long DroppedChars => Interlocked.Read(ref _dropped);

    public void Post(RunnerUpdate update) => _channel.Writer.TryWrite(update);

    public void PostOutput(string text)
    {
        if (Interlocked.Add(ref _pendingChars, text.Length) > NodeTaskRunner.MaxPendingOutputChars)
        {
            Interlocked.Add(ref _pendingChars, -text.Length);
            Interlocked.Add(ref _dropped, text.Length);
            return;
        }
        _channel.Writer.TryWrite(new RunnerUpdate { Output = new AttemptOutput { Text = text } });
    }

    public void Complete() => _channel.Writer.TryComplete();

    public async IAsyncEnumerable<RunnerUpdate> ReadAllAsync(int maxChars, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var reader = _channel.Reader;
        var text = new System.Text.StringBuilder();
        while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            while (reader.TryRead(out var update))
            {
                if (update.BodyCase == RunnerUpdate.BodyOneofCase.Output)
                {
                    Interlocked.Add(ref _pendingChars, -update.Output.Text.Length);
                    text.Append(update.Output.Text);
                    if (text.Length < maxChars) continue;
                }
                if (text.Length > 0)
                {
                    yield return new RunnerUpdate { Output = new AttemptOutput { Text = text.ToString() } };
                    text.Clear();
                }
                if (update.BodyCase != RunnerUpdate.BodyOneofCase.Output) yield return update;
            }
            if (text.Length > 0)
            {
                yield return new RunnerUpdate { Output = new AttemptOutput { Text = text.ToString() } };
                text.Clear();
            }
        }
    }
}

/// <summary>The gRPC service a node's call endpoint maps for its <see cref="NodeTaskRunner"/>; its messages may carry a shipped attempt's request and reply.</summary>
internal sealed class TaskRunnerEndpoint(NodeTaskRunner runner) : TaskRunner.TaskRunnerBase
{
    public override Task Run(IAsyncStreamReader<RunnerRequest> requestStream, IServerStreamWriter<RunnerUpdate> responseStream, ServerCallContext context) =>
        runner.RunAsync(requestStream, responseStream, context.CancellationToken);
}
