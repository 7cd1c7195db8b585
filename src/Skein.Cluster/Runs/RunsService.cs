using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Skein.Cluster.Protocol;
using Skein.Engine;
using Skein.Engine.JobFiles;
using Skein.Engine.Journal;
using Skein.Engine.Journal.Internal;

namespace Skein.Cluster.Runs;

/// <summary>The gRPC face of <see cref="RunHost"/>: submit, watch, list, show, logs and cancel.</summary>
internal sealed class RunsService(RunHost host, TimeProvider time, IHostApplicationLifetime lifetime) : Protocol.Runs.RunsBase
{
    /// <summary>The largest submitted job: room for the most tasks a job file may make, each with a long command.</summary>
    public const int MaxSubmitBytes = 64 * 1024 * 1024;

    /// <summary>Events sent per wake-up of a watcher, so that one slow watcher holds the run's lock only briefly.</summary>
    private const int WatchBatch = 1024;

    private const int LogChunkBytes = 64 * 1024;
    private static readonly TimeSpan LogPoll = TimeSpan.FromMilliseconds(200);

    public override async Task<SubmitRunReply> Submit(SubmitRunRequest request, ServerCallContext context)
    {
        if (request.Tasks.Count > Job.MaxTasks)
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"the job has {request.Tasks.Count} tasks; a run holds at most {Job.MaxTasks}"));
        var problems = new List<string>();
        var job = RunWire.ToJob(request, problems);
        if (problems.Count > 0) throw new RpcException(new Status(StatusCode.InvalidArgument, string.Join("\n", problems)));
        try
        {
            var hosted = await host.SubmitAsync(job, request, context.CancellationToken).ConfigureAwait(false);
            return new SubmitRunReply { RunId = hosted.RunId };
        }
        catch (JobValidationException ex)
        {
            var lines = ex.Problems.Where(p => p.Severity == ProblemSeverity.Error).Select(p => p.ToString());
            throw new RpcException(new Status(StatusCode.InvalidArgument, string.Join("\n", lines)));
        }
        catch (SkeinException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, ex.Message));
        }
        catch (ObjectDisposedException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the coordinator is stopping"));
        }
    }

    public override async Task Watch(WatchRunRequest request, IServerStreamWriter<RunEventBatch> responseStream, ServerCallContext context)
    {
        var run = Hosted(request.RunId);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var ct = linked.Token;
        try
        {
            var batch = new RunEventBatch { Events = { run.Header } };
            var next = Math.Max(1, request.FromSequence);
            while (true)
            {
                var (events, changed) = run.Read(next, WatchBatch);
                batch.Events.AddRange(events);
                next += events.Count;
                if (batch.Events.Count > 0)
                {
                    // Whatever piled up while the last batch was written goes in the next: a slow watcher gets bigger batches, not more of them.
                    await responseStream.WriteAsync(batch, ct).ConfigureAwait(false);
                    if (events.Count > 0 && events[^1].BodyCase == RunEventMessage.BodyOneofCase.Ended) return;
                    batch = new RunEventBatch();
                }
                if (events.Count == 0) await changed.WaitAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The watcher went away (detached, killed, lost its network): the run goes on without it.
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the coordinator is stopping"));
        }
    }

    public override async Task<ListRunsReply> List(ListRunsRequest request, ServerCallContext context)
    {
        var reply = new ListRunsReply();
        await host.FlushAsync(context.CancellationToken).ConfigureAwait(false);
        if (!JournalReader.ExistsIn(host.StateDirectory)) return reply;
        using var journal = Reading(() => JournalReader.Open(host.StateDirectory));
        var limit = Math.Clamp(request.Limit <= 0 ? 20 : request.Limit, 1, 10_000);
        var runs = await Answering(() => journal.ListRunsAsync(limit, request.JobName.Length > 0 ? request.JobName : null, context.CancellationToken)).ConfigureAwait(false);
        foreach (var run in runs) reply.Runs.Add(RunWire.ToWire(run));
        return reply;
    }

    public override async Task<ShowRunReply> Show(ShowRunRequest request, ServerCallContext context)
    {
        await host.FlushAsync(context.CancellationToken).ConfigureAwait(false);
        using var journal = OpenJournal();
        var runId = await LatestOrAsync(journal, request.RunId, context.CancellationToken).ConfigureAwait(false);
        var details = await Answering(() => journal.GetRunAsync(runId, context.CancellationToken)).ConfigureAwait(false);
        // The journal does not keep what a running task waits for: the run hosted here says it.
        var hosted = host.Find(runId);
        return RunWire.ToWire(details, hosted is not null && hosted.RunId == runId ? hosted.WaitingFor : null);
    }

    public override async Task Logs(RunLogsRequest request, IServerStreamWriter<RunLogChunk> responseStream, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var ct = linked.Token;
        await host.FlushAsync(ct).ConfigureAwait(false);
        using var journal = OpenJournal();
        var runId = await LatestOrAsync(journal, request.RunId, ct).ConfigureAwait(false);
        var run = host.Find(runId);
        // An interrupted run's id names the run that resumed it; its own logs are in the journal, and do not grow.
        if (run is not null && run.RunId != runId) run = null;
        if (run is not null && !run.Header.Header.TaskIds.Contains(request.TaskId))
            throw new RpcException(new Status(StatusCode.NotFound, $"run {runId} has no task '{request.TaskId}'"));
        var follow = request.Follow && run is not null;
        var sent = new Dictionary<int, long>();
        var first = true;
        try
        {
            while (true)
            {
                // Decided before reading, so that what the task wrote up to its end is all read below.
                var finished = !follow || run!.HasFinished(request.TaskId);
                if (finished) await host.FlushAsync(ct).ConfigureAwait(false);
                IReadOnlyList<AttemptDetails> attempts;
                try
                {
                    attempts = await journal.GetAttemptsAsync(runId, request.TaskId, ct).ConfigureAwait(false);
                }
                catch (SkeinException) when (follow && !finished)
                {
                    attempts = []; // not recorded yet
                }
                catch (SkeinException ex)
                {
                    throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
                }
                if (request.Attempt > 0 && finished && !attempts.Any(a => a.Attempt == request.Attempt))
                    throw new RpcException(new Status(StatusCode.NotFound,
                        $"task '{request.TaskId}' of run {runId} has no attempt {request.Attempt} (it has {attempts.Count})"));
                foreach (var attempt in attempts)
                {
                    if (request.Attempt > 0 && attempt.Attempt != request.Attempt) continue;
                    var isNew = !sent.TryGetValue(attempt.Attempt, out var offset);
                    if (isNew)
                    {
                        await responseStream.WriteAsync(new RunLogChunk
                        {
                            Attempt = attempt.Attempt,
                            AttemptStart = true,
                            Outcome = attempt.Outcome?.ToWireName() ?? "",
                            Attempts = first ? attempts.Count : 0,
                        }, ct).ConfigureAwait(false);
                        first = false;
                    }
                    sent[attempt.Attempt] = await SendFromAsync(attempt.LogPath, offset, attempt.Attempt, responseStream, ct).ConfigureAwait(false);
                }
                if (finished) return;
                await Task.WhenAny(run!.NextChange(), Task.Delay(LogPoll, time, ct)).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The follower went away.
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the coordinator is stopping"));
        }
    }

    /// <summary>Sends what the log holds past <paramref name="offset"/>, in chunks; returns the new offset.</summary>
    private static async Task<long> SendFromAsync(string? path, long offset, int attempt, IServerStreamWriter<RunLogChunk> stream, CancellationToken ct)
    {
        if (path is null || !File.Exists(path)) return offset;
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, useAsync: true);
        if (file.Length <= offset) return offset;
        file.Seek(offset, SeekOrigin.Begin);
        var buffer = new byte[LogChunkBytes];
        int read;
        while ((read = await file.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            await stream.WriteAsync(new RunLogChunk { Attempt = attempt, Data = ByteString.CopyFrom(buffer, 0, read) }, ct).ConfigureAwait(false);
            offset += read;
        }
        return offset;
    }

    public override Task<CancelRunReply> Cancel(CancelRunRequest request, ServerCallContext context)
    {
        var run = Hosted(request.RunId);
        if (run.Ended) return Task.FromResult(new CancelRunReply { Cancelled = false });
        try
        {
            run.Run.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return Task.FromResult(new CancelRunReply { Cancelled = false }); // it ended meanwhile
        }
        host.LogCancelledByClient(run.RunId);
        return Task.FromResult(new CancelRunReply { Cancelled = true });
    }

    public override async Task<RunAttemptsReply> Attempts(RunAttemptsRequest request, ServerCallContext context)
    {
        if (request.TaskIds.Count > Job.MaxTasks)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"at most {Job.MaxTasks} tasks at once, not {request.TaskIds.Count}"));
        await host.FlushAsync(context.CancellationToken).ConfigureAwait(false);
        using var journal = OpenJournal();
        var runId = await LatestOrAsync(journal, request.RunId, context.CancellationToken).ConfigureAwait(false);
        var hosted = host.Find(runId) is { } run && run.RunId == runId ? run : null;
        var reply = new RunAttemptsReply();
        foreach (var taskId in request.TaskIds.Distinct(StringComparer.Ordinal))
        {
            var attempts = await Answering(() => journal.GetAttemptsAsync(runId, taskId, context.CancellationToken)).ConfigureAwait(false);
            var task = new RunTaskAttempts { TaskId = taskId };
            foreach (var attempt in attempts) task.Attempts.Add(RunWire.ToWire(attempt, hosted?.NodeOf(taskId, attempt.Attempt)));
            reply.Tasks.Add(task);
        }
        return reply;
    }

    private HostedRun Hosted(long runId) =>
        host.Find(runId) ?? throw new RpcException(new Status(StatusCode.NotFound,
            $"run {runId} is not hosted by this coordinator (it may have ended before the coordinator restarted); 'skein show {runId}' tells how it ended"));

    private JournalReader OpenJournal()
    {
        if (!JournalReader.ExistsIn(host.StateDirectory))
            throw new RpcException(new Status(StatusCode.NotFound, "no run has been submitted to this cluster yet"));
        return Reading(() => JournalReader.Open(host.StateDirectory));
    }

    private static async Task<long> LatestOrAsync(JournalReader journal, long runId, CancellationToken ct)
    {
        if (runId > 0) return runId;
        return await Answering(() => journal.GetLatestRunIdAsync(null, ct)).ConfigureAwait(false)
               ?? throw new RpcException(new Status(StatusCode.NotFound, "no run has been submitted to this cluster yet"));
    }

    private static T Reading<T>(Func<T> open)
    {
        try
        {
            return open();
        }
        catch (SkeinException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, ex.Message));
        }
    }

    private static async Task<T> Answering<T>(Func<Task<T>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (SkeinException ex)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
        }
    }
}
