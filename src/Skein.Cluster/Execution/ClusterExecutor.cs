using System.Collections.Concurrent;
using System.Text;
using Grpc.Core;
using Skein.Cluster.Internal;
using Skein.Cluster.Protocol.Tasks;
using Skein.Engine;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Execution;

/// <summary>
/// Runs a run's attempts on the cluster's nodes: commands and <see cref="ShippedAction"/>s (C# code whose assembly
/// folder is shipped to the node) go to a live node that matches the task's placement and has room for its resources
/// (held on the coordinator's ledger while the attempt runs), <c>call:</c> tasks call the service through the client,
/// and C# delegates run in this process. Works in any process connected to the cluster: pass it as
/// <see cref="RunOptions.Executor"/>.
/// </summary>
/// <remarks>
/// Every attempt gets its own id and its own call to its node: a late result of an attempt given up on has nowhere
/// to arrive, and a node whose call for an attempt breaks stops that attempt. A node lost while it runs one ends it
/// <see cref="Outcome.Errored"/> with the reason <c>node-lost: NAME</c>, which the run retries while retries last.
/// </remarks>
public sealed partial class ClusterExecutor : ITaskExecutor, IAsyncDisposable
{
    /// <summary>
    /// How long an attempt whose call to its node broke waits for the coordinator to say the node is gone before it
    /// ends anyway (as lost; a killed node's session breaks with it, so the word usually comes at once).
    /// </summary>
    private static readonly TimeSpan LostWordWait = TimeSpan.FromSeconds(10);

    private readonly SkeinClient _client;
    private readonly ClusterChannel _coordinator;
    private readonly Placement.PlacementClient _placement;
    private readonly ConcurrentDictionary<string, ClusterChannel> _nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Marker?> _markers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PlacementWait> _waits = new(StringComparer.Ordinal);
    private int _disposed;

    /// <param name="client">A client connected to the cluster (<see cref="SkeinClient.ConnectAsync(Uri, string, SkeinClientOptions?, CancellationToken)"/>); it stays the caller's.</param>
    public ClusterExecutor(SkeinClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _coordinator = client.CoordinatorChannel
            ?? throw new ArgumentException("the client is not connected to a cluster (it calls local services only)", nameof(client));
        _placement = new Placement.PlacementClient(_coordinator.CallInvoker);
    }

    /// <summary>The attempts waiting for a node now, with what each waits for.</summary>
    public IReadOnlyCollection<PlacementWait> Waiting => [.. _waits.Values];

    /// <summary>Raised when an attempt starts waiting for a node, or what it waits for changes.</summary>
    public event Action<PlacementWait>? WaitChanged;

    /// <summary>Raised when an attempt starts on a node: which one, and in which directory.</summary>
    public event Action<AttemptPlacement>? Placed;

    /// <summary>
    /// Raised when an attempt has been given room on a node, before the node is asked to start it: what a coordinator
    /// hosting the run keeps, so that after a crash it knows which nodes still stop the run's attempts.
    /// </summary>
    internal event Action<AttemptGrant>? Granting;

    public ValueTask<ActionResult> RunAsync(TaskAttempt attempt, IAttemptReporter reporter, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        // The attempt's action, not the task's: its {{tasks.ID.outputs.NAME}} references are filled in.
        return attempt.Action switch
        {
            CommandAction command => new ValueTask<ActionResult>(RunCommandAsync(attempt, command.Spec, reporter, cancellationToken)),
            ShippedAction shipped => new ValueTask<ActionResult>(RunShippedAsync(attempt, shipped, reporter, cancellationToken)),
            ServiceCallAction call => new ValueTask<ActionResult>(CallAsync(call, cancellationToken)),
            // C# code cannot leave this process.
            _ => InProcessExecutor.Instance.RunAsync(attempt, reporter, cancellationToken),
        };
    }

    /// <summary>Refuses, before the run starts, the command tasks no live node could ever take, saying why.</summary>
    public async ValueTask<IReadOnlyList<ValidationProblem>> CheckAsync(IReadOnlyList<TaskSpec> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var request = new CheckRequest();
        var checkedTasks = new List<TaskSpec>();
        foreach (var task in tasks)
        {
            if (task.Action is not (CommandAction or ShippedAction)) continue;
            request.Requirements.Add(PlacementNeed.Of(task).ToProto());
            checkedTasks.Add(task);
        }
        if (checkedTasks.Count == 0) return [];
        CheckReply reply;
        try
        {
            reply = await _placement.CheckAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw _coordinator.Explain(ex);
        }
        var problems = new List<ValidationProblem>(reply.Refusals.Count);
        foreach (var refusal in reply.Refusals)
        {
            if (refusal.Index < 0 || refusal.Index >= checkedTasks.Count) continue;
            var task = checkedTasks[refusal.Index];
            problems.Add(ValidationProblem.Error(refusal.Reason, task.Source?.LocationOf(refusal.Key.Length > 0 ? refusal.Key : "resources")));
        }
        return problems;
    }

    private async Task<ActionResult> RunCommandAsync(TaskAttempt attempt, CommandSpec spec, IAttemptReporter reporter, CancellationToken cancellationToken) =>
        (await RunOnNodeAsync(attempt, (granted, attemptId) => StartMessage(attempt, spec, granted, attemptId), reporter, cancellationToken).ConfigureAwait(false)).Result;

    /// <summary>
    /// Places the attempt on a node with room for it (the room held until the attempt ends) and runs there what
    /// <paramref name="start"/> says, given the grant and the attempt's id: the one way commands and shipped code run.
    /// </summary>
    private async Task<NodeResult> RunOnNodeAsync(TaskAttempt attempt, Func<Granted, string, RunnerRequest> start, IAttemptReporter reporter,
        CancellationToken cancellationToken)
    {
        var attemptId = Guid.NewGuid().ToString("N");
        var need = PlacementNeed.Of(attempt.Task);
        // Among the least loaded nodes, one that already holds what the attempt receives is preferred.
        if (attempt.InputArtifacts.Count > 0) need = need with { Inputs = [.. attempt.InputArtifacts.Select(a => a.Sha256).Distinct().Take(PlacementNeed.MaxInputs)] };
        using var holdEnd = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var hold = _placement.Hold(new HoldRequest { Requirement = need.ToProto(), Holder = $"run {attempt.RunId} task {attempt.TaskId} attempt {attempt.Number}" },
            cancellationToken: holdEnd.Token);
        Granted granted;
        try
        {
            granted = await WaitForGrantAsync(hold, attempt, attemptId, reporter, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new(ActionResult.Errored($"could not place the attempt: {_coordinator.Explain(ex).Message}"), false);
        }
        catch (RpcException)
        {
            // Timed out or cancelled while waiting for room: the run says which.
            throw new OperationCanceledException(cancellationToken);
        }
        finally
        {
            // It no longer waits: it runs, or it ended while waiting (its result says so).
            if (_waits.TryRemove(attemptId, out _)) reporter.ReportWaiting(null);
        }
        Granting?.Invoke(new AttemptGrant(attempt.RunId, attempt.TaskId, attempt.Number, granted.NodeName));
        // The coordinator says here when the node goes; the room stays held until this call ends.
        var revoked = ReadRevokedAsync(hold);
        try
        {
            return await RunGrantedAsync(attempt, start(granted, attemptId), reporter, granted, revoked, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await holdEnd.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task<Granted> WaitForGrantAsync(AsyncServerStreamingCall<HoldUpdate> hold, TaskAttempt attempt, string attemptId, IAttemptReporter reporter,
        CancellationToken cancellationToken)
    {
        while (await hold.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var update = hold.ResponseStream.Current;
            switch (update.BodyCase)
            {
                case HoldUpdate.BodyOneofCase.Granted:
                    return update.Granted;
                case HoldUpdate.BodyOneofCase.Waiting:
                    var wait = new PlacementWait(attempt.RunId, attempt.TaskId, attempt.Number, update.Waiting.Reason);
                    _waits[attemptId] = wait;
                    // The run tells its watchers (progress views, skein show) what the attempt waits for.
                    reporter.ReportWaiting(wait.Reason);
                    WaitChanged?.Invoke(wait);
                    break;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        throw new RpcException(new Status(StatusCode.Unavailable, "the coordinator ended the hold without placing the attempt"));
    }

    /// <summary>
    /// The coordinator's word that the attempt's node is gone (<c>node-lost: NAME</c>); empty when the hold ended
    /// without it. A hold that broke (a coordinator restarting) says nothing about the node: the attempt goes on, and
    /// its node's answer ends it as usual.
    /// </summary>
    private static async Task<string> ReadRevokedAsync(AsyncServerStreamingCall<HoldUpdate> hold)
    {
        try
        {
            while (await hold.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
            {
                if (hold.ResponseStream.Current.BodyCase == HoldUpdate.BodyOneofCase.Revoked) return hold.ResponseStream.Current.Revoked.Reason;
            }
            return "";
        }
        catch (RpcException)
        {
            return ""; // ended by this side (the attempt is over), or broken with the coordinator
        }
    }

    private async Task<NodeResult> RunGrantedAsync(TaskAttempt attempt, RunnerRequest start, IAttemptReporter reporter, Granted granted,
        Task<string> revoked, CancellationToken cancellationToken)
    {
        var runner = new TaskRunner.TaskRunnerClient(NodeChannel(granted.CallAddress).CallInvoker);
        using var callEnd = new CancellationTokenSource();
        using var call = runner.Run(cancellationToken: callEnd.Token);
        using var log = new AttemptLog(reporter.LogPath);
        using var writing = new SemaphoreSlim(1, 1);
        try
        {
            await call.RequestStream.WriteAsync(start, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            return new(await LostAsync(granted, revoked, ex).ConfigureAwait(false), false);
        }
        catch (OperationCanceledException)
        {
            await callEnd.CancelAsync().ConfigureAwait(false);
            throw;
        }
        // Cancelled (timeout or the run's cancellation): the node is asked to stop the command and answers once it has.
        await using var stopping = cancellationToken.Register(() => _ = StopAsync(call, writing));
        var reading = ReadUpdatesAsync(call, reporter, log, granted, attempt);
        var first = await Task.WhenAny(reading, revoked).ConfigureAwait(false);
        if (first == revoked && revoked.Result.Length > 0)
        {
            // The node is gone: whatever it may still say about this attempt is not listened to, and a node that is
            // only frozen learns, when it wakes, that the call broke and stops the command.
            await callEnd.CancelAsync().ConfigureAwait(false);
            _ = reading.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return new(ActionResult.Errored(revoked.Result), false);
        }
        try
        {
            var result = await reading.ConfigureAwait(false);
            // End this side of the call too, so the node's server forgets the stream now: a stream whose caller never
            // ends its half stays tracked after its reply, and Kestrel refuses new streams on the connection
            // (ENHANCE_YOUR_CALM) once too many are — a few hundred short commands in a row hit it.
            await CompleteRequestsAsync(call, writing).ConfigureAwait(false);
            if (result.Stopped && cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
            return result;
        }
        catch (RpcException ex)
        {
            if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
            return new(await LostAsync(granted, revoked, ex).ConfigureAwait(false), false);
        }
        finally
        {
            await callEnd.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The call to the node broke: it is most likely gone, which the coordinator says within moments.</summary>
    private static async Task<ActionResult> LostAsync(Granted granted, Task<string> revoked, RpcException ex)
    {
        try
        {
            var reason = await revoked.WaitAsync(LostWordWait).ConfigureAwait(false);
            if (reason.StartsWith("node-", StringComparison.Ordinal)) return ActionResult.Errored(reason);
        }
        catch (TimeoutException)
        {
            // The coordinator still has the node: the connection to it broke some other way.
        }
        return ActionResult.Errored($"node-lost: {granted.NodeName} (the call to it broke: {(ex.Status.Detail.Length > 0 ? ex.Status.Detail : ex.StatusCode.ToString())})");
    }

    private static async Task StopAsync(AsyncDuplexStreamingCall<RunnerRequest, RunnerUpdate> call, SemaphoreSlim writing)
    {
        await writing.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await call.RequestStream.WriteAsync(new RunnerRequest { Stop = new StopAttempt { Reason = "the run stopped the attempt" } }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The call has ended or broke: the node stops the command either way.
        }
        finally
        {
            writing.Release();
        }
    }

    private static async Task CompleteRequestsAsync(AsyncDuplexStreamingCall<RunnerRequest, RunnerUpdate> call, SemaphoreSlim writing)
    {
        await writing.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The call has ended or broke: nothing is left to end.
        }
        finally
        {
            writing.Release();
        }
    }

    /// <summary>How an attempt on a node ended: its result, whether it was stopped, and a shipped entry's reply.</summary>
    private readonly record struct NodeResult(ActionResult Result, bool Stopped, ReadOnlyMemory<byte> Reply = default);

    private async Task<NodeResult> ReadUpdatesAsync(AsyncDuplexStreamingCall<RunnerRequest, RunnerUpdate> call, IAttemptReporter reporter, AttemptLog log,
        Granted granted, TaskAttempt attempt)
    {
        while (await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
        {
            var update = call.ResponseStream.Current;
            switch (update.BodyCase)
            {
                case RunnerUpdate.BodyOneofCase.Started:
                    Placed?.Invoke(new AttemptPlacement(attempt.RunId, attempt.TaskId, attempt.Number, granted.NodeName, update.Started.Workdir, update.Started.FreshWorkdir));
                    break;
                case RunnerUpdate.BodyOneofCase.Output:
                    log.Append(update.Output.Text);
                    break;
                case RunnerUpdate.BodyOneofCase.Result:
                    var result = update.Result;
                    reporter.Report(result.Name, OutcomeNames.Parse(result.Outcome), result.Message.Length == 0 ? null : result.Message);
                    break;
                case RunnerUpdate.BodyOneofCase.Finished:
                    var finished = update.Finished;
                    if (log.Error is { } lost) return new(new ActionResult(Outcome.Errored, $"{lost} (the command itself ended {finished.Outcome})", null, finished.HasExitCode ? finished.ExitCode : null), finished.Stopped);
                    var ended = new ActionResult(OutcomeNames.Parse(finished.Outcome), finished.Message.Length == 0 ? null : finished.Message, null,
                        finished.HasExitCode ? finished.ExitCode : null);
                    if (finished.Outputs.Count > 0) ended = ended with { Outputs = new Dictionary<string, string>(finished.Outputs, StringComparer.Ordinal) };
                    if (finished.Artifacts.Count > 0) ended = ended with { Artifacts = [.. finished.Artifacts.Select(a => new ArtifactFile(a.Path, a.Size, a.Sha256))] };
                    return new(ended, finished.Stopped, finished.Reply.Memory);
            }
        }
        throw new RpcException(new Status(StatusCode.Unavailable, "the node ended the attempt's call without its result"));
    }

    private RunnerRequest StartMessage(TaskAttempt attempt, CommandSpec spec, Granted granted, string attemptId)
    {
        var start = new StartAttempt
        {
            AttemptId = attemptId,
            RunId = attempt.RunId,
            Task = attempt.TaskId,
            Attempt = attempt.Number,
            Command = spec.Command,
            WorkdirExplicit = attempt.Task.WorkdirIsExplicit,
            Hostname = Environment.MachineName,
            KillGraceMs = (long)spec.KillGrace.TotalMilliseconds,
            GrantId = granted.GrantId,
        };
        var workdir = spec.WorkingDirectory ?? Environment.CurrentDirectory;
        start.Workdir = Path.GetFullPath(workdir);
        if (!start.WorkdirExplicit && MarkerFor(start.Workdir) is { } marker)
        {
            start.MarkerName = marker.Name;
            start.MarkerNonce = marker.Nonce;
        }
        foreach (var (key, value) in spec.Environment) start.Environment[key] = value;
        start.WarnExitCodes.AddRange(spec.WarnExitCodes);
        if (attempt.Task.Artifacts.Count > 0 || attempt.InputArtifacts.Count > 0)
        {
            // The node fetches its inputs from the coordinator, and sends it what it collects, under the run's id.
            start.ArtifactPatterns.AddRange(attempt.Task.Artifacts);
            foreach (var input in attempt.InputArtifacts)
                start.InputArtifacts.Add(new Protocol.Artifacts.ArtifactRef { Path = input.Path, Size = input.Size, Sha256 = input.Sha256 });
            start.ArtifactLimit = attempt.ArtifactLimit;
            start.ArtifactStore = ClusterAddress.Format(_coordinator.Address);
        }
        return new RunnerRequest { Start = start };
    }

    /// <summary>
    /// A file with a secret in the job file's directory, written once per directory: a node that reads the same there
    /// sees the same directory (this machine, or a shared file system). Null when it cannot be written; the node then
    /// trusts the directory only on this same host.
    /// </summary>
    private Marker? MarkerFor(string directory) => _markers.GetOrAdd(directory, static dir =>
    {
        var nonce = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var name = $".skein-here-{nonce[..12].ToLowerInvariant()}";
        try
        {
            File.WriteAllText(Path.Combine(dir, name), nonce);
            return new Marker(name, nonce, Path.Combine(dir, name));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    });

    private sealed record Marker(string Name, string Nonce, string Path);

    // A shipped entry's reply comes back in one message, larger than the default limit allows.
    private ClusterChannel NodeChannel(string callAddress) =>
        _nodes.GetOrAdd(callAddress, address => new ClusterChannel(ClusterAddress.Parse(address), _client.Token, ClusterChannel.DefaultTimeout, ShipmentLimits.MaxRunnerMessageBytes));

    /// <summary>The output a <c>call:</c> task sets to its call's JSON result.</summary>
    public const string ResultOutput = ServiceCallAction.ResultOutput;

    private async Task<ActionResult> CallAsync(ServiceCallAction call, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte>? last = null;
        try
        {
            await foreach (var item in _client.CallJsonAsync(call.Service, call.Method, Encoding.UTF8.GetBytes(call.ArgumentsJson), cancellationToken).ConfigureAwait(false))
                last = item;
        }
        catch (RemoteException ex) when (ex.Kind == RemoteErrorKind.Application)
        {
            return ActionResult.Failed($"{call.Service}.{call.Method} failed: {ex.Message}");
        }
        catch (RemoteException ex)
        {
            return ActionResult.Errored($"{call.Service}.{call.Method}: {ex.Message}");
        }
        var json = last is { } bytes ? Encoding.UTF8.GetString(bytes.Span) : "null";
        // No log file: the result is kept as the task's value and output (the journal, skein show, the reports). A
        // file per call — created, written, closed, then looked for by the run — cost more than the call itself.
        // The result is the task's output 'result' for its dependents ({{tasks.ID.outputs.result}}), when it fits one.
        if (TaskOutputs.Check(ResultOutput, json) is { } tooBig)
            return ActionResult.Failed($"{call.Service}.{call.Method} answered, but its result cannot be the output '{ResultOutput}': {tooBig}");
        return ActionResult.Passed(json) with { Outputs = new Dictionary<string, string>(StringComparer.Ordinal) { [ResultOutput] = json } };
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var marker in _markers.Values)
        {
            if (marker is null) continue;
            try
            {
                File.Delete(marker.Path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A marker left behind is a small file with a secret only this run knew.
            }
        }
        foreach (var channel in _nodes.Values) channel.Dispose();
        await Task.CompletedTask.ConfigureAwait(false);
    }
}

/// <summary>An attempt waiting for a node, and what for ("waiting for room: needs 2 cores; node-1 has 0 of 2 free").</summary>
public sealed record PlacementWait(long RunId, string TaskId, int Attempt, string Reason);

/// <summary>Where an attempt runs: its node, and its working directory there (fresh: not the job file's directory).</summary>
public sealed record AttemptPlacement(long RunId, string TaskId, int Attempt, string Node, string WorkingDirectory, bool FreshWorkingDirectory);

/// <summary>An attempt given room on a node, about to start there.</summary>
internal sealed record AttemptGrant(long RunId, string TaskId, int Attempt, string Node);

/// <summary>An attempt's log on the run's side: output from a node is appended as it arrives, so followers see it live.</summary>
internal sealed class AttemptLog(string path) : IDisposable
{
    private FileStream? _file;

    /// <summary>Why the output could not be kept, if it could not.</summary>
    public string? Error { get; private set; }

    public void Append(string text)
    {
        if (Error is not null || text.Length == 0) return;
        try
        {
            if (_file is null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            }
            _file.Write(Encoding.UTF8.GetBytes(text));
            _file.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error = $"its output could not be written to {path}: {e.Message}";
        }
    }

    public void Dispose() => _file?.Dispose();
}

/// <summary>Outcomes from their wire names (<see cref="OutcomeExtensions.ToWireName"/>).</summary>
internal static class OutcomeNames
{
    public static Outcome Parse(string name)
    {
        foreach (var outcome in Enum.GetValues<Outcome>())
            if (outcome.ToWireName() == name) return outcome;
        return Outcome.Errored;
    }
}
