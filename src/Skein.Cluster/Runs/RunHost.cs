using System.Collections.Concurrent;
using System.Globalization;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Skein.Cluster.Execution;
using Skein.Cluster.Protocol;
using Skein.Engine;
using Skein.Engine.Journal;
using Skein.Engine.Journal.Internal;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Runs;

/// <summary>
/// Runs submitted jobs on the coordinator with the engine — the same scheduler, validation, claims, groups,
/// priorities, retries and timeouts as a run in the client's process — journaled in the coordinator's state
/// directory, several at once. Attempts run where the executor it is given puts them.
/// </summary>
/// <remarks>
/// Each running run's submitted job is kept beside the journal (<c>runs/RUN.job</c>) until the run ends, so that a
/// coordinator killed mid-run and started again on the same state directory resumes it from its journal: what
/// passed is reused, the rest runs again, and the old run's id keeps naming it for watchers.
/// </remarks>
internal sealed partial class RunHost : IAsyncDisposable
{
    /// <summary>Ended runs whose events stay in memory for a late attach; older ones are read from the journal only.</summary>
    private const int EndedRunsKept = 64;

    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(15);

    private readonly CoordinatorOptions _options;
    private readonly ITaskExecutor _executor;
    private readonly TimeProvider _time;
    private readonly ILogger<RunHost> _logger;
    private readonly SemaphoreSlim _opening = new(1, 1);
    private readonly ConcurrentDictionary<long, HostedRun> _runs = new();
    private readonly ConcurrentQueue<long> _order = new();
    private SqliteRunJournal? _journal;
    private int _disposed;

    public RunHost(CoordinatorOptions options, ITaskExecutor executor, TimeProvider time, ILogger<RunHost> logger)
    {
        _options = options;
        _executor = executor;
        _time = time;
        _logger = logger;
        // Which node ran each attempt is told by the runs' attempts (the journal does not keep it).
        if (executor is NodeExecutor nodes)
        {
            nodes.Placed += placement => Find(placement.RunId)?.Placed(placement.TaskId, placement.Attempt, placement.Node);
            nodes.Granting += SaveGrant;
        }
    }

    public string StateDirectory => _options.StateDirectory;

    /// <summary>Validates and starts the job; returns once its journal record exists.</summary>
    /// <exception cref="JobValidationException">The job is invalid; nothing ran.</exception>
    /// <exception cref="SkeinException">The journal or state directory cannot be used, or another --resume of the job is going.</exception>
    public async Task<HostedRun> SubmitAsync(Job job, SubmitRunRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var journal = await JournalAsync(cancellationToken).ConfigureAwait(false);
        var options = new RunOptions
        {
            Workers = request.Workers > 0 ? request.Workers : Environment.ProcessorCount,
            Journal = journal,
            StateDirectory = _options.StateDirectory,
            Resume = request.Resume,
            Only = request.Only.Count > 0 ? request.Only.ToArray() : null,
            ReportStarts = true,
            CommandLine = request.CommandLine.Length > 0 ? request.CommandLine : null,
            TimeProvider = _time,
            Executor = _executor,
            ArtifactLimit = _options.ArtifactLimit,
        };
        // Not the caller's token: the run outlives the call that submitted it.
        var run = await JobRun.StartAsync(job, options, CancellationToken.None).ConfigureAwait(false);
        var hosted = new HostedRun(run, job);
        _runs[run.RunId] = hosted;
        _order.Enqueue(run.RunId);
        Save(run.RunId, request);
        hosted.Start();
        LogRunStarted(run.RunId, job.Name, run.TaskCount);
        _ = LogEndAsync(hosted);
        ForgetOldRuns();
        return hosted;
    }

    private async Task LogEndAsync(HostedRun hosted)
    {
        await hosted.Pumped.ConfigureAwait(false);
        try
        {
            var summary = await hosted.Run.Completion.ConfigureAwait(false);
            LogRunEnded(hosted.RunId, summary.Status.ToString().ToLowerInvariant());
        }
        catch (Exception ex)
        {
            LogRunBroke(ex, hosted.RunId);
        }
        finally
        {
            Forget(hosted.RunId);
            await hosted.Run.DisposeAsync().ConfigureAwait(false);
        }
    }

    private string SavedJobs => Path.Combine(_options.StateDirectory, "runs");

    private string SavedJob(long runId) => Path.Combine(SavedJobs, runId.ToString(CultureInfo.InvariantCulture) + ".job");

    /// <summary>Keeps the submitted job until its run ends: what a restarted coordinator resumes from.</summary>
    private void Save(long runId, SubmitRunRequest request)
    {
        try
        {
            Directory.CreateDirectory(SavedJobs);
            var path = SavedJob(runId);
            var temporary = path + ".tmp";
            File.WriteAllBytes(temporary, request.ToByteArray());
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The run goes on; only resuming it after a crash of the coordinator is lost.
            LogNotSaved(runId, ex.Message);
        }
    }

    private string SavedGrants(long runId) => Path.Combine(SavedJobs, runId.ToString(CultureInfo.InvariantCulture) + ".nodes");

    /// <summary>
    /// Notes, before the node is asked to start it, which node an attempt of a running run goes to: a coordinator
    /// killed meanwhile learns from it, once started again, which nodes must first stop the attempts they ran for it.
    /// </summary>
    private void SaveGrant(AttemptGrant grant)
    {
        if (grant.Node.Contains('\t') || grant.Node.Contains('\n') || grant.TaskId.Contains('\n')) return;
        try
        {
            // Appended unflushed to disk: what a killed process wrote is still read; only a crash of the machine loses
            // it, and then its nodes lost their attempts' calls long before it is back.
            var line = string.Create(CultureInfo.InvariantCulture, $"{grant.Node}\t{grant.Attempt}\t{grant.TaskId}\n");
            try
            {
                File.AppendAllText(SavedGrants(grant.RunId), line);
            }
            catch (DirectoryNotFoundException)
            {
                // The run's first attempts may start before its job is kept.
                Directory.CreateDirectory(SavedJobs);
                File.AppendAllText(SavedGrants(grant.RunId), line);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogNotSaved(grant.RunId, ex.Message);
        }
    }

    /// <summary>The nodes that were given the latest attempt of a task the journal has not seen finish.</summary>
    private HashSet<string> NodesOfUnfinished(long runId, RunDetails details)
    {
        var nodes = new HashSet<string>(StringComparer.Ordinal);
        var path = SavedGrants(runId);
        if (!File.Exists(path)) return nodes;
        // Not "running" as the journal reads: an attempt may have started after its last write reached the disk.
        var finished = details.Tasks.Where(t => t.Outcome is not null).Select(t => t.TaskId).ToHashSet(StringComparer.Ordinal);
        var latest = new Dictionary<string, (int Attempt, string Node)>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split('\t', 3);
            if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var attempt)) continue;
            if (finished.Contains(parts[2])) continue;
            if (!latest.TryGetValue(parts[2], out var known) || known.Attempt <= attempt) latest[parts[2]] = (attempt, parts[0]);
        }
        foreach (var (_, node) in latest.Values) nodes.Add(node);
        return nodes;
    }

    private void Forget(long runId)
    {
        try
        {
            File.Delete(SavedJob(runId));
            File.Delete(SavedGrants(runId));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogNotSaved(runId, ex.Message);
        }
    }

    /// <summary>
    /// Resumes the runs a killed coordinator left running: each one whose job was kept and that the journal reads as
    /// interrupted runs again with --resume (what passed is reused), and its old id names the new run.
    /// </summary>
    public async Task ResumeInterruptedAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!Directory.Exists(SavedJobs) || !JournalReader.ExistsIn(_options.StateDirectory)) return;
            var ids = new List<long>();
            foreach (var file in Directory.EnumerateFiles(SavedJobs, "*.job"))
            {
                if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var id)) ids.Add(id);
            }
            ids.Sort();
            if (ids.Count == 0) return;
            using var journal = JournalReader.Open(_options.StateDirectory);
            foreach (var id in ids) await ResumeAsync(journal, id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogResumeFailed(ex);
        }
    }

    private async Task ResumeAsync(JournalReader journal, long id, CancellationToken cancellationToken)
    {
        try
        {
            var details = await journal.GetRunAsync(id, cancellationToken).ConfigureAwait(false);
            if (details.Summary.State != RunState.Interrupted) return; // it ended after all
            // Attempts it had on nodes are stopped by those nodes (their calls broke), which join again only once they
            // have: its tasks run again only after that, never beside the attempt they replace.
            if (_executor is NodeExecutor nodes && NodesOfUnfinished(id, details) is { Count: > 0 } holding)
            {
                var names = string.Join(", ", holding.Order(StringComparer.Ordinal));
                LogWaitingForNodes(id, names);
                if (!await nodes.WaitForNodesAsync(holding, cancellationToken).ConfigureAwait(false)) LogNodesNotBack(id, names, nodes.NodeGrace);
            }
            var request = SubmitRunRequest.Parser.ParseFrom(await File.ReadAllBytesAsync(SavedJob(id), cancellationToken).ConfigureAwait(false));
            request.Resume = true;
            var problems = new List<string>();
            var job = RunWire.ToJob(request, problems);
            if (problems.Count > 0) throw new SkeinException(string.Join("; ", problems));
            var hosted = await SubmitAsync(job, request, cancellationToken).ConfigureAwait(false);
            // Watchers of the interrupted run find the run that continues it under the id they know.
            _runs[id] = hosted;
            _order.Enqueue(id);
            LogResumed(id, hosted.RunId);
        }
        catch (Exception ex) when (ex is SkeinException or InvalidProtocolBufferException or IOException or JobValidationException)
        {
            LogNotResumed(id, ex.Message);
        }
        finally
        {
            Forget(id);
        }
    }

    private void ForgetOldRuns()
    {
        var ended = 0;
        foreach (var run in _runs.Values)
        {
            if (run.Ended) ended++;
        }
        // The queue holds ids oldest first; drop ended runs from the front until few enough are kept.
        var tries = _order.Count;
        while (ended > EndedRunsKept && tries-- > 0 && _order.TryDequeue(out var id))
        {
            if (_runs.TryGetValue(id, out var run) && run.Ended)
            {
                _runs.TryRemove(id, out _);
                ended--;
            }
            else
            {
                _order.Enqueue(id);
            }
        }
    }

    /// <summary>A run this coordinator hosts (running, or ended recently), or null.</summary>
    public HostedRun? Find(long runId) => _runs.TryGetValue(runId, out var run) ? run : null;

    /// <summary>Makes what the runs recorded so far readable by the journal's readers.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _journal) is { } journal) await journal.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The journal, opened at the first run: a coordinator that never hosts one leaves no journal behind.</summary>
    private async ValueTask<SqliteRunJournal> JournalAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _journal) is { } open) return open;
        await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _journal ??= SqliteRunJournal.Open(_options.StateDirectory);
        }
        finally
        {
            _opening.Release();
        }
    }

    /// <summary>Cancels every run still going (their tasks are stopped and recorded cancelled), then closes the journal.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        var pumps = new List<Task>();
        foreach (var run in _runs.Values)
        {
            if (run.Ended) continue;
            LogCancelledAtStop(run.RunId);
            run.Run.Cancel();
            pumps.Add(run.Pumped);
        }
        try
        {
            await Task.WhenAll(pumps).WaitAsync(StopWait, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A run that does not end in time is left to the journal as interrupted.
        }
        if (_journal is { } journal) await journal.DisposeAsync().ConfigureAwait(false);
        _opening.Dispose();
    }

    [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "run {RunId} of {Job} started: {Tasks} tasks")]
    private partial void LogRunStarted(long runId, string job, int tasks);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Information, Message = "run {RunId} ended: {Status}")]
    private partial void LogRunEnded(long runId, string status);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Error, Message = "run {RunId} could not go on")]
    private partial void LogRunBroke(Exception exception, long runId);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Warning, Message = "run {RunId} cancelled: the coordinator is stopping")]
    private partial void LogCancelledAtStop(long runId);

    [LoggerMessage(EventId = 1506, Level = LogLevel.Warning, Message = "run {RunId} was interrupted when the coordinator stopped; resumed as run {NewRunId}")]
    private partial void LogResumed(long runId, long newRunId);

    [LoggerMessage(EventId = 1507, Level = LogLevel.Warning, Message = "run {RunId} was interrupted and cannot be resumed: {Reason}")]
    private partial void LogNotResumed(long runId, string reason);

    [LoggerMessage(EventId = 1508, Level = LogLevel.Error, Message = "resuming the interrupted runs failed")]
    private partial void LogResumeFailed(Exception exception);

    [LoggerMessage(EventId = 1509, Level = LogLevel.Warning, Message = "run {RunId}: its job could not be kept for a resume after a crash: {Reason}")]
    private partial void LogNotSaved(long runId, string reason);

    [LoggerMessage(EventId = 1510, Level = LogLevel.Information,
        Message = "run {RunId} was interrupted with attempts on {Nodes}; waiting for them to stop those and join again before resuming it")]
    private partial void LogWaitingForNodes(long runId, string nodes);

    [LoggerMessage(EventId = 1511, Level = LogLevel.Warning,
        Message = "run {RunId}: not every node of {Nodes} joined again within {Grace}; resuming it anyway (a node that is gone may have left commands running)")]
    private partial void LogNodesNotBack(long runId, string nodes, TimeSpan grace);

    [LoggerMessage(EventId = 1505, Level = LogLevel.Information, Message = "run {RunId} cancelled by a client")]
    internal partial void LogCancelledByClient(long runId);
}
