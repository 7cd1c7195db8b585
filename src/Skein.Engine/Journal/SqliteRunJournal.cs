using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Skein.Engine.Journal.Internal;

namespace Skein.Engine.Journal;

/// <summary>
/// The journal in a SQLite file, <c>journal.db</c> in the state directory.
/// </summary>
/// <remarks>
/// The Record* methods only put an event on a queue. One writer drains it with group commit: it waits for the
/// first event, takes everything queued behind it (up to 30,000) into one transaction, commits, and repeats.
/// So a slow run commits each event as it comes, and a fast one batches by itself. Each commit survives the
/// process being killed; the commit that ends a run also survives a power cut. The queue is unbounded, since
/// recording must never block: a run that records faster than the disk takes it holds the difference in memory.
/// A write that fails stops the journal: the failure is thrown by the next <see cref="FlushAsync"/>,
/// <see cref="EndRunAsync"/> or <see cref="DisposeAsync"/>, and events recorded after it are not written.
/// </remarks>
public sealed class SqliteRunJournal : IRunJournal
{
    /// <summary>
    /// Events per transaction at most: about 10,000 tasks of three events each, large enough that a fast run spends its
    /// time in SQLite rather than in commits, small enough to keep a batch's memory bounded.
    /// </summary>
    private const int MaxBatch = 30_000;

    /// <summary>
    /// Events waiting for the writer. Recording is on the scheduler's hot path, often under its lock, three times per
    /// task: a lock-free queue costs it one interlocked operation, where a channel takes a lock that the writer also
    /// takes for every event it reads.
    /// </summary>
    private readonly ConcurrentQueue<JournalEntry> _queue = new();

    /// <summary>Released to wake the writer; its waiters always continue asynchronously, never on a recording thread.</summary>
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>1 while the writer waits for events: the next event recorded wakes it.</summary>
    private int _writerWaiting;

    /// <summary>Set by <see cref="DisposeAsync"/>: the writer drains the queue and stops.</summary>
    private volatile bool _closing;

    private readonly JournalBatchWriter _writer;
    private readonly Task _writerLoop;
    private Exception? _failure;
    private int _failureReported;
    private int _disposed;

    private SqliteRunJournal(string journalPath, JournalBatchWriter writer)
    {
        JournalPath = journalPath;
        _writer = writer;
        // The loop outlives the caller that opened the journal: it must not carry that caller's ambient context.
        using (ExecutionContext.SuppressFlow())
        {
            _writerLoop = Task.Run(RunWriterAsync);
        }
    }

    /// <summary>The journal file.</summary>
    public string JournalPath { get; }

    /// <summary>Opens the journal in <paramref name="stateDirectory"/>, creating the directory and the file when needed.</summary>
    /// <exception cref="SkeinException">
    /// The directory is not writable, the file is not a Skein journal, or it was written by a newer Skein.
    /// </exception>
    public static SqliteRunJournal Open(string stateDirectory) => Open(stateDirectory, configure: null);

    /// <param name="configure">Runs on the writer's connection before the first write; tests use it to provoke failures.</param>
    internal static SqliteRunJournal Open(string stateDirectory, Action<SqliteConnection>? configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stateDirectory);
        JournalConnection.EnsureWritable(stateDirectory);
        var journalPath = JournalConnection.PathIn(stateDirectory);
        var existed = File.Exists(journalPath);
        SqliteConnection? connection = null;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(journalPath)!);
            connection = JournalConnection.OpenForWriting(journalPath);
            configure?.Invoke(connection);
            return new SqliteRunJournal(journalPath, new JournalBatchWriter(connection));
        }
        catch (Exception e)
        {
            connection?.Dispose();
            // A journal this call created and could not finish is removed rather than left half-made.
            if (!existed) DeleteJournalFiles(journalPath);
            if (e is SqliteException sqlite) throw JournalConnection.Describe(sqlite, journalPath);
            if (e is IOException or UnauthorizedAccessException)
                throw new SkeinException($"the journal {journalPath} cannot be created: {e.Message}", e);
            throw;
        }
    }

    public ValueTask<long> BeginRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ThrowIfFailed();
        var request = new BeginRunRequest(run);
        Enqueue(JournalEntry.BeginRun(request));
        return new ValueTask<long>(request.Task.WaitAsync(cancellationToken));
    }

    public void RecordTasks(long runId, IReadOnlyList<TaskRecord> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count == 0) return;
        // A copy: the caller may keep adding to its list while the writer reads this one.
        var copy = new TaskRecord[tasks.Count];
        for (var i = 0; i < copy.Length; i++) copy[i] = tasks[i] ?? throw new ArgumentException("The task list contains null.", nameof(tasks));
        Enqueue(JournalEntry.Tasks(runId, copy));
    }

    public void RecordAttemptStarted(long runId, string taskId, int attempt, DateTimeOffset startedAt, string? logPath)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        Enqueue(JournalEntry.AttemptStarted(runId, taskId, attempt, startedAt.ToUnixTimeMilliseconds(), logPath));
    }

    public void RecordAttemptFinished(long runId, string taskId, int attempt, Outcome outcome, string? reason, int? exitCode, DateTimeOffset finishedAt)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        Enqueue(JournalEntry.AttemptFinished(runId, taskId, attempt, outcome, reason, exitCode, finishedAt.ToUnixTimeMilliseconds()));
    }

    public void RecordTaskFinished(long runId, TaskResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Enqueue(JournalEntry.TaskFinished(runId, result));
    }

    public ValueTask EndRunAsync(long runId, RunStatus status, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(JournalEntry.EndRun(runId, status, endedAt.ToUnixTimeMilliseconds(), done));
        return new ValueTask(done.Task.WaitAsync(cancellationToken));
    }

    /// <summary>Completes once every event recorded before the call is committed.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(JournalEntry.Flush(done));
        return new ValueTask(done.Task.WaitAsync(cancellationToken));
    }

    public ValueTask<ResumePoint?> FindResumePointAsync(string jobName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobName);
        ThrowIfFailed();
        var query = new ResumeQuery(jobName);
        Enqueue(JournalEntry.FindResumePoint(query));
        return new ValueTask<ResumePoint?>(query.Task.WaitAsync(cancellationToken));
    }

    /// <summary>Writes everything still queued, then closes the file.</summary>
    /// <exception cref="SkeinException">A write failed and no earlier call has reported it.</exception>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _closing = true;
        WakeWriter();
        // The semaphore is not disposed: it holds no handle, and a recorder racing with this may still release it.
        await _writerLoop.ConfigureAwait(false);
        if (Volatile.Read(ref _failure) is { } failure && Interlocked.Exchange(ref _failureReported, 1) == 0)
            throw Failed(failure);
    }

    private void Enqueue(JournalEntry entry)
    {
        // Queued even after a failure: the writer then skips the events, and fails the requests someone waits on.
        // Recording while the journal is being disposed is the caller's race; recording after it is refused.
        if (_closing) throw new ObjectDisposedException(nameof(SqliteRunJournal));
        _queue.Enqueue(entry);
        // Enqueue is a full fence, so this read cannot see a stale 0 after the writer found the queue empty.
        if (Volatile.Read(ref _writerWaiting) != 0) WakeWriter();
    }

    private void WakeWriter()
    {
        if (Interlocked.Exchange(ref _writerWaiting, 0) != 0) _wake.Release();
    }

    private void ThrowIfFailed()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Volatile.Read(ref _failure) is { } failure)
        {
            Volatile.Write(ref _failureReported, 1);
            throw Failed(failure);
        }
    }

    private SkeinException Failed(Exception cause) => cause switch
    {
        SkeinException skein => new SkeinException(skein.Message, cause),
        SqliteException sqlite => new SkeinException(
            $"{JournalConnection.Describe(sqlite, JournalPath).Message}; events recorded since are not in the journal", cause),
        _ => new SkeinException($"the journal {JournalPath} failed: {cause.Message}; events recorded since are not in the journal", cause),
    };

    private async Task RunWriterAsync()
    {
        var batch = new List<JournalEntry>(256);
        try
        {
            while (true)
            {
                while (batch.Count < MaxBatch && _queue.TryDequeue(out var entry)) batch.Add(entry);
                if (batch.Count == 0)
                {
                    if (_closing) break;
                    // Say so before looking once more: an event recorded after the look sees the flag and wakes us.
                    Interlocked.Exchange(ref _writerWaiting, 1);
                    if (!_queue.IsEmpty || _closing)
                    {
                        // A release that raced with this leaves the semaphore counted: the next wait just returns.
                        Interlocked.Exchange(ref _writerWaiting, 0);
                        continue;
                    }
                    await _wake.WaitAsync().ConfigureAwait(false);
                    continue;
                }

                var failure = Volatile.Read(ref _failure);
                if (failure is null)
                {
                    try
                    {
                        _writer.Write(batch);
                    }
                    catch (Exception e)
                    {
                        failure = e;
                        Volatile.Write(ref _failure, e);
                    }
                }
                Answer(batch, failure);
                // Clearing drops the batch's references to results and task lists; the capacity stays for the next one.
                batch.Clear();
            }
        }
        finally
        {
            _writer.Dispose();
        }
    }

    /// <summary>Completes the callers waiting on entries of a batch that has just been committed (or has failed).</summary>
    private void Answer(List<JournalEntry> batch, Exception? failure)
    {
        foreach (var entry in batch)
        {
            switch (entry.Kind)
            {
                case EntryKind.BeginRun:
                    var begin = (BeginRunRequest)entry.Payload!;
                    if (failure is null) begin.TrySetResult(begin.AssignedId);
                    else begin.TrySetException(Reported(failure));
                    break;
                case EntryKind.EndRun or EntryKind.Flush:
                    var done = (TaskCompletionSource)entry.Payload!;
                    if (failure is null) done.TrySetResult();
                    else done.TrySetException(Reported(failure));
                    break;
                case EntryKind.FindResumePoint:
                    var query = (ResumeQuery)entry.Payload!;
                    if (failure is not null)
                    {
                        query.TrySetException(Reported(failure));
                        break;
                    }
                    try
                    {
                        query.TrySetResult(_writer.FindResumePoint(query.JobName));
                    }
                    catch (Exception e)
                    {
                        // Only this question failed; the writes are fine and the loop must go on answering others.
                        query.TrySetException(e is SqliteException sqlite
                            ? JournalConnection.Describe(sqlite, JournalPath)
                            : new SkeinException($"the journal {JournalPath} could not be read: {e.Message}", e));
                    }
                    break;
            }
        }
    }

    private SkeinException Reported(Exception failure)
    {
        Volatile.Write(ref _failureReported, 1);
        return Failed(failure);
    }

    private static void DeleteJournalFiles(string journalPath)
    {
        foreach (var suffix in (ReadOnlySpan<string>)["", "-wal", "-shm", "-journal"])
        {
            try
            {
                File.Delete(journalPath + suffix);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the original failure is the one worth reporting.
            }
        }
    }
}
