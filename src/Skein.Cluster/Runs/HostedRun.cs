using Skein.Cluster.Protocol;
using Skein.Engine;

namespace Skein.Cluster.Runs;

/// <summary>
/// One run the coordinator hosts: the engine's run, and every event it produced, kept in order with a sequence
/// number so that any number of watchers — one that attaches late, one that comes back after a detach — replay
/// what happened and then follow what happens. The run never waits for a watcher.
/// </summary>
internal sealed class HostedRun
{
    private readonly Lock _lock = new();
    private readonly List<RunEventMessage> _events = [];
    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _waiting = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Task, int Attempt), string> _nodes = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _watched;
    private bool _ended;

    public HostedRun(JobRun run, Job job)
    {
        Run = run;
        var header = new RunHeader { RunId = run.RunId, JobName = job.Name, JobFile = job.SourceFile ?? "", TaskCount = run.TaskCount };
        foreach (var task in job.Tasks) header.TaskIds.Add(task.Id);
        Header = new RunEventMessage { Sequence = 0, Header = header };
    }

    public JobRun Run { get; }

    public long RunId => Run.RunId;

    public RunEventMessage Header { get; }

    /// <summary>Ends when the run has ended and its last event (<see cref="RunEnded"/>) is kept.</summary>
    public Task Pumped { get; private set; } = Task.CompletedTask;

    public bool Ended
    {
        get { lock (_lock) return _ended; }
    }

    public void Start() => Pumped = Task.Run(PumpAsync);

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var e in Run.ReadEventsAsync().ConfigureAwait(false))
            {
                lock (_lock)
                {
                    if (e is TaskFinished) _finished.Add(e.TaskId);
                    if (e is TaskWaiting { Reason: { } reason }) _waiting[e.TaskId] = reason;
                    else if (_waiting.Count > 0) _waiting.Remove(e.TaskId);
                    _events.Add(RunWire.ToMessage(e, _events.Count + 1));
                    WakeLocked();
                }
            }
        }
        finally
        {
            RunEnded ended;
            try
            {
                ended = RunWire.ToEnded(await Run.Completion.ConfigureAwait(false));
            }
            catch (Exception ex)
            {
                ended = new RunEnded { Status = "failed", Error = ex.Message };
            }
            lock (_lock)
            {
                _events.Add(new RunEventMessage { Sequence = _events.Count + 1, Ended = ended });
                _ended = true;
                WakeLocked();
            }
        }
    }

    private void WakeLocked()
    {
        // Only a watcher that found nothing new waits; a run nobody waits on allocates nothing per event.
        if (!_watched) return;
        _watched = false;
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    /// <summary>The events from <paramref name="fromSequence"/> on (at most <paramref name="max"/>); when there are none yet, a task that ends when there are.</summary>
    public (List<RunEventMessage> Events, Task Changed) Read(long fromSequence, int max)
    {
        lock (_lock)
        {
            var start = (int)Math.Max(0, fromSequence - 1);
            var list = new List<RunEventMessage>(Math.Clamp(_events.Count - start, 0, max));
            for (var i = start; i < _events.Count && list.Count < max; i++) list.Add(_events[i]);
            if (list.Count > 0 || _ended) return (list, Task.CompletedTask);
            _watched = true;
            return (list, _changed.Task);
        }
    }

    /// <summary>What the task's running attempt waits for (room on a node), or null when it does not wait.</summary>
    public string? WaitingFor(string taskId)
    {
        lock (_lock) return _ended ? null : _waiting.GetValueOrDefault(taskId);
    }

    /// <summary>Notes the node an attempt runs on (the journal does not keep it).</summary>
    public void Placed(string taskId, int attempt, string node)
    {
        lock (_lock) _nodes[(taskId, attempt)] = node;
    }

    /// <summary>The node an attempt ran on, when it was placed on one by this coordinator.</summary>
    public string? NodeOf(string taskId, int attempt)
    {
        lock (_lock) return _nodes.GetValueOrDefault((taskId, attempt));
    }

    /// <summary>True when the task has its final result (or the run has ended).</summary>
    public bool HasFinished(string taskId)
    {
        lock (_lock) return _ended || _finished.Contains(taskId);
    }

    /// <summary>A task that ends at the next event of the run (or at once when it has ended).</summary>
    public Task NextChange()
    {
        lock (_lock)
        {
            if (_ended) return Task.CompletedTask;
            _watched = true;
            return _changed.Task;
        }
    }
}
