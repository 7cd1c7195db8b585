using Skein.Cluster.Runs;

namespace Skein.Cli.Output;

/// <summary>Where the output of a run's tasks is read from while they run.</summary>
internal abstract class TaskLogSource
{
    /// <summary>Reads the task's output from its first attempt on, as it is written, until the task has finished and all of it is read.</summary>
    public abstract Task FollowAsync(TaskWatch watch, TaskOutputRouter into, CancellationToken cancellationToken);
}

/// <summary>A run in this process: each attempt's log file in the state directory, read as it grows.</summary>
internal sealed class LocalTaskLogs(Func<string, int, string> logPathOf, TimeProvider time) : TaskLogSource
{
    /// <summary>How often a quiet log is looked at again; the engine writes a command's output out whenever the command pauses.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private const int ChunkBytes = 64 * 1024;

    public override async Task FollowAsync(TaskWatch watch, TaskOutputRouter into, CancellationToken cancellationToken)
    {
        var buffer = new byte[ChunkBytes];
        var attempt = watch.FirstAttempt;
        var offset = 0L;
        into.AttemptStarted(attempt);
        while (true)
        {
            // Read before what is read: an attempt that ended, or a task that finished, is then read to its end below.
            var changed = watch.Changed();
            var latest = watch.LatestAttempt;
            var finished = watch.Finished;
            offset = await ReadFromAsync(logPathOf(watch.TaskId, attempt), offset, buffer, attempt, into, cancellationToken).ConfigureAwait(false);
            if (attempt < latest)
            {
                attempt++;
                offset = 0;
                into.AttemptStarted(attempt);
                continue;
            }
            if (finished) return;
            await Task.WhenAny(changed, Task.Delay(Poll, time, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static async Task<long> ReadFromAsync(string path, long offset, byte[] buffer, int attempt, TaskOutputRouter into, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) return offset;
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, useAsync: true);
        if (file.Length <= offset) return offset;
        file.Seek(offset, SeekOrigin.Begin);
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            into.Write(attempt, buffer.AsSpan(0, read));
            offset += read;
        }
        return offset;
    }
}

/// <summary>A run a cluster hosts: the coordinator's log of each task, followed over the runs wire (as <c>skein logs --follow</c> does).</summary>
internal sealed class RemoteTaskLogs(RunsClient client, long runId) : TaskLogSource
{
    public override async Task FollowAsync(TaskWatch watch, TaskOutputRouter into, CancellationToken cancellationToken)
    {
        // The coordinator ends the stream once the task has finished and everything it wrote was sent.
        await foreach (var part in client.LogsAsync(runId, watch.TaskId, 0, follow: true, cancellationToken).ConfigureAwait(false))
        {
            if (part.AttemptStart) into.AttemptStarted(part.Attempt);
            else into.Write(part.Attempt, part.Data.Span);
        }
    }
}
