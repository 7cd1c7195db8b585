using System.Runtime.CompilerServices;
using Grpc.Core;
using Skein.Cluster.Internal;
using Skein.Cluster.Protocol;
using Skein.Engine;
using Skein.Engine.Journal;
using Skein.Cluster.Addressing;

namespace Skein.Cluster.Runs;

/// <summary>
/// Submits jobs to a cluster's coordinator, which hosts their runs, and follows, lists, shows and cancels them. A
/// run goes on when its client goes away; any client with the token may watch it again.
/// </summary>
public sealed class RunsClient : IDisposable
{
    private static readonly TimeSpan CallTimeout = ClusterChannel.DefaultTimeout;
    private readonly ClusterChannel _channel;
    private readonly Protocol.Runs.RunsClient _runs;

    public RunsClient(Uri address, string token)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(token);
        _channel = new ClusterChannel(address, token, CallTimeout, RunsService.MaxSubmitBytes);
        _runs = new Protocol.Runs.RunsClient(_channel.CallInvoker);
    }

    public Uri Address => _channel.Address;

    /// <summary>Submits a job of command tasks; returns the run's id once the coordinator has started it.</summary>
    /// <exception cref="SkeinException">
    /// The job cannot leave this process (C# tasks), is over the limits or invalid (the coordinator's problems are in
    /// the message), or the coordinator refused it; <see cref="ClusterUnreachableException"/> when it cannot be reached.
    /// </exception>
    public async Task<long> SubmitAsync(Job job, RunSubmission submission, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(submission);
        var request = RunWire.ToRequest(job, submission);
        var size = request.CalculateSize();
        if (size > RunsService.MaxSubmitBytes)
            throw new SkeinException($"the job is {size / (1024 * 1024)} MiB as data; a cluster accepts at most {RunsService.MaxSubmitBytes / (1024 * 1024)} MiB");
        var reply = await CallAsync(() => _runs.SubmitAsync(request, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync, cancellationToken).ConfigureAwait(false);
        return reply.RunId;
    }

    /// <summary>
    /// The run's events: its header, then from <paramref name="fromSequence"/> on what happened and what happens,
    /// ending with how it ended. Cancelling stops watching; the run goes on.
    /// </summary>
    public async IAsyncEnumerable<HostedRunEvent> WatchAsync(long runId, long fromSequence = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var call = _runs.Watch(new WatchRunRequest { RunId = runId, FromSequence = fromSequence }, cancellationToken: cancellationToken);
        var stream = call.ResponseStream;
        while (await CallAsync(() => stream.MoveNext(cancellationToken), cancellationToken).ConfigureAwait(false))
        {
            foreach (var message in stream.Current.Events)
            {
                if (ToEvent(message) is not { } e) continue;
                yield return e;
                if (e.Ended is not null) yield break;
            }
        }
    }

    private static HostedRunEvent? ToEvent(RunEventMessage message)
    {
        switch (message.BodyCase)
        {
            case RunEventMessage.BodyOneofCase.Header:
                var header = message.Header;
                return new HostedRunEvent(0)
                {
                    Header = new HostedRunHeader(header.RunId, header.JobName, header.JobFile.Length > 0 ? header.JobFile : null, header.TaskIds.ToArray(), header.TaskCount),
                };
            case RunEventMessage.BodyOneofCase.Ended:
                return new HostedRunEvent(message.Sequence) { Ended = RunWire.ToEnd(message.Ended) };
            default:
                return RunWire.ToEvent(message) is { } e ? new HostedRunEvent(message.Sequence) { Event = e } : null;
        }
    }

    /// <summary>Runs in the coordinator's journal, newest first.</summary>
    public async Task<IReadOnlyList<JournalRunSummary>> ListAsync(int limit, string? jobName, CancellationToken cancellationToken = default)
    {
        var reply = await CallAsync(() => _runs.ListAsync(new ListRunsRequest { Limit = limit, JobName = jobName ?? "" }, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
        return reply.Runs.Select(RunWire.ToSummary).ToList();
    }

    /// <summary>One run with every task; <paramref name="runId"/> 0 for the latest.</summary>
    public async Task<RunDetails> ShowAsync(long runId, CancellationToken cancellationToken = default)
    {
        var reply = await CallAsync(() => _runs.ShowAsync(new ShowRunRequest { RunId = runId }, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
        return RunWire.ToDetails(reply);
    }

    /// <summary>What the task's attempts wrote (<paramref name="attempt"/> 0: every one); with <paramref name="follow"/>, until the task ends.</summary>
    public async IAsyncEnumerable<RunLogPart> LogsAsync(long runId, string taskId, int attempt, bool follow, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        using var call = _runs.Logs(new RunLogsRequest { RunId = runId, TaskId = taskId, Attempt = attempt, Follow = follow }, cancellationToken: cancellationToken);
        var stream = call.ResponseStream;
        while (await CallAsync(() => stream.MoveNext(cancellationToken), cancellationToken).ConfigureAwait(false))
        {
            var chunk = stream.Current;
            yield return new RunLogPart(chunk.Attempt, chunk.AttemptStart, chunk.Outcome.Length > 0 ? RunWire.ParseOutcome(chunk.Outcome) : null, chunk.Attempts, chunk.Data.Memory);
        }
    }

    /// <summary>
    /// Every attempt of each named task, first to last, from the coordinator's journal (with the node each ran on
    /// while the coordinator hosts the run): the retry history of a run's reports.
    /// </summary>
    /// <exception cref="SkeinException">The run, or one of the tasks, is unknown.</exception>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<AttemptDetails>>> AttemptsAsync(long runId, IReadOnlyCollection<string> taskIds,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        var request = new RunAttemptsRequest { RunId = runId };
        request.TaskIds.AddRange(taskIds);
        var reply = await CallAsync(() => _runs.AttemptsAsync(request, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
        var attempts = new Dictionary<string, IReadOnlyList<AttemptDetails>>(reply.Tasks.Count, StringComparer.Ordinal);
        foreach (var task in reply.Tasks) attempts[task.TaskId] = task.Attempts.Select(RunWire.ToDetails).ToList();
        return attempts;
    }

    /// <summary>Cancels the run on the coordinator; false when it had already ended.</summary>
    public async Task<bool> CancelAsync(long runId, CancellationToken cancellationToken = default)
    {
        var reply = await CallAsync(() => _runs.CancelAsync(new CancelRunRequest { RunId = runId }, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
        return reply.Cancelled;
    }

    private static DateTime Deadline() => DateTime.UtcNow + CallTimeout;

    private async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw ex.StatusCode switch
            {
                // The coordinator's own words: they name the job's problems, the run, the task.
                StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.FailedPrecondition or StatusCode.ResourceExhausted
                    => new SkeinException(ex.Status.Detail, ex),
                _ => _channel.Explain(ex),
            };
        }
    }

    public void Dispose() => _channel.Dispose();
}
