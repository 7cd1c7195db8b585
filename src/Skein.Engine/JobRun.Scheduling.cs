
namespace Skein.Engine;

// The scheduling core. Every method named *Locked runs under _lock.
public sealed partial class JobRun
{
    private void MakeReadyLocked(TaskNode node)
    {
        node.State = NodeState.Ready;
        node.Pool.Ready.Enqueue(node);
    }

    private void CollectStartableLocked(List<TaskNode> toStart)
    {
        if (_stopping) return;
        // A claimer that stops waiting for a resource lets the users it held back go; when those sit in a pool
        // drained earlier in the pass, they need another pass, or nothing would start them until a task ends.
        do
        {
            _requeued = false;
            CollectPassLocked(toStart);
        }
        while (_requeued);
    }

    private void CollectPassLocked(List<TaskNode> toStart)
    {
        DrainLocked(_ungrouped, toStart);
        if (_groups.Count == 0) return;

        // One exclusivity group at a time: keep the active one while it has work, switch only when it is idle.
        if (_activeGroup is { Running: 0 } idle && idle.Ready.Count == 0) _activeGroup = null;
        if (_activeGroup is not null)
        {
            DrainLocked(_activeGroup, toStart);
            if (_activeGroup.Running > 0) return;
            _activeGroup = null;
        }
        // No group is running: activate the one whose best ready task comes first. A group whose ready tasks
        // all park on held resources stays idle, and the next one gets its turn.
        for (var tries = 0; tries < _groups.Count; tries++)
        {
            Pool? best = null;
            var bestKey = long.MaxValue;
            foreach (var pool in _groups.Values)
            {
                if (pool.Ready.TryPeekKey(out var key) && key < bestKey)
                {
                    best = pool;
                    bestKey = key;
                }
            }
            if (best is null) return;
            _activeGroup = best;
            DrainLocked(best, toStart);
            if (best.Running > 0) return;
            _activeGroup = null;
        }
    }

    private void DrainLocked(Pool pool, List<TaskNode> toStart)
    {
        while (pool.Running < pool.Capacity && pool.Ready.TryDequeue(out var node))
        {
            if (node.State != NodeState.Ready) continue; // finished meanwhile (reused or cancelled)
            if (!TryAcquireLocked(node)) continue;
            pool.Running++;
            node.State = NodeState.Running;
            toStart.Add(node);
        }
    }

    private bool TryAcquireLocked(TaskNode node)
    {
        foreach (var resource in node.ClaimResources)
        {
            if (!resource.CanClaim)
            {
                ParkLocked(node, resource, claiming: true);
                return false;
            }
        }
        foreach (var resource in node.UseResources)
        {
            if (!resource.CanUse)
            {
                ParkLocked(node, resource, claiming: false);
                return false;
            }
        }
        foreach (var resource in node.ClaimResources) resource.Claimed = true;
        foreach (var resource in node.UseResources) resource.Users++;
        StopWaitingLocked(node);
        return true;
    }

    private void ParkLocked(TaskNode node, Resource resource, bool claiming)
    {
        if (!claiming || node.AwaitedClaim != resource)
        {
            // A claimer counts as waiting only for the resource it is held up by now.
            StopWaitingLocked(node);
            if (claiming)
            {
                node.AwaitedClaim = resource;
                resource.WaitingClaimers++;
            }
        }
        node.State = NodeState.Parked;
        (resource.Parked ??= []).Add(node);
    }

    /// <summary>The task no longer waits to claim the resource it was counted in: it got it, or waits for another.</summary>
    private void StopWaitingLocked(TaskNode node)
    {
        if (node.AwaitedClaim is not { } resource) return;
        node.AwaitedClaim = null;
        // Users parked only because this claimer was waiting may go now, unless the resource is claimed.
        if (--resource.WaitingClaimers == 0 && !resource.Claimed) UnparkLocked(resource);
    }

    private void ReleaseLocked(TaskNode node)
    {
        foreach (var resource in node.ClaimResources)
        {
            resource.Claimed = false;
            UnparkLocked(resource);
        }
        foreach (var resource in node.UseResources)
        {
            if (--resource.Users == 0) UnparkLocked(resource);
        }
    }

    private void UnparkLocked(Resource resource)
    {
        // Everything parked goes back to its ready queue; priority and order decide again who goes first.
        // Claimers stay counted as waiting, so users cannot slip in before them from a pool drained earlier.
        if (resource.Parked is not { Count: > 0 } parked) return;
        foreach (var node in parked)
        {
            if (node.State != NodeState.Parked) continue;
            node.State = NodeState.Ready;
            node.Pool.Ready.Enqueue(node);
        }
        parked.Clear();
        _requeued = true;
    }

    /// <summary>A running task ended: free its worker and resources, record it, and find what can start now.</summary>
    private void CompleteLocked(TaskNode node, TaskResult result, List<TaskNode> toStart)
    {
        node.Pool.Running--;
        ReleaseLocked(node);
        FinishLocked(node, result);
        CollectStartableLocked(toStart);
        CompleteIfDoneLocked();
    }

    /// <summary>
    /// Records a task's final result and settles its dependents: released when it succeeded, skipped
    /// (transitively, with the reason naming what they waited for) when it did not.
    /// </summary>
    private void FinishLocked(TaskNode first, TaskResult firstResult)
    {
        Stack<(TaskNode Node, TaskResult Result)>? pending = null;
        var node = first;
        var result = firstResult;
        while (true)
        {
            if (node.State != NodeState.Done)
            {
                node.State = NodeState.Done;
                node.Result = result;
                _done++;
                _counts[(int)result.Outcome]++;
                _events.Write(new TaskFinished(result));
                _journal?.RecordTaskFinished(RunId, result);

                if (node.Dependents is { } dependents)
                {
                    if (result.Outcome.IsSuccess()) ReleaseDependentsLocked(dependents);
                    else if (!_stopping)
                    {
                        var rootCause = result.Outcome == Outcome.Skipped ? node.SkipRootCause! : $"'{node.Id}' {Describe(result.Outcome)}";
                        foreach (var dependent in dependents)
                        {
                            if (dependent.State == NodeState.Done) continue;
                            pending ??= new Stack<(TaskNode, TaskResult)>();
                            dependent.SkipRootCause = rootCause;
                            pending.Push((dependent, Skipped(dependent, node, result.Outcome, rootCause)));
                        }
                    }
                }
            }
            if (pending is null || !pending.TryPop(out var next)) return;
            (node, result) = next;
        }
    }

    /// <summary>
    /// Makes ready the dependents that waited only for this task. A fan-out releases thousands at once, in job order:
    /// handed to the ready queue together they cost O(n) instead of one heap insertion each, inside the lock.
    /// </summary>
    private void ReleaseDependentsLocked(List<TaskNode> dependents)
    {
        if (dependents.Count < BulkRelease)
        {
            foreach (var dependent in dependents)
            {
                if (dependent.State == NodeState.Waiting && --dependent.PendingDeps == 0) MakeReadyLocked(dependent);
            }
            return;
        }
        var released = _released ??= [];
        foreach (var dependent in dependents)
        {
            if (dependent.State != NodeState.Waiting || --dependent.PendingDeps != 0) continue;
            dependent.State = NodeState.Ready;
            released.Add(dependent);
        }
        // Usually one pool; a release spanning groups goes pool by pool, each keeping its job order.
        while (released.Count > 0)
        {
            var pool = released[0].Pool;
            if (released.TrueForAll(node => node.Pool == pool))
            {
                pool.Ready.EnqueueRange(released);
                released.Clear();
                break;
            }
            foreach (var node in released) if (node.Pool == pool) pool.Ready.Enqueue(node);
            released.RemoveAll(node => node.Pool == pool);
        }
    }

    private void CompleteIfDoneLocked()
    {
        if (_completing || _done < _total) return;
        _completing = true;
        _ = FinishRunAsync();
    }

    private async Task FinishRunAsync()
    {
        var status = _cancelled ? RunStatus.Cancelled
            : _counts[(int)Outcome.Passed] + _counts[(int)Outcome.Warned] == _total ? RunStatus.Passed
            : RunStatus.Failed;
        var summary = new RunSummary(RunId, status, (int[])_counts.Clone(), _startedAt, _time.GetElapsedTime(_startTimestamp));
        try
        {
            if (_journal is not null) await _journal.EndRunAsync(RunId, status, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            // Released before anyone learns the run ended, so a --resume started right after it finds the job free.
            _resumeLock?.Dispose();
            _events.Complete();
            _completion.TrySetResult(summary);
        }
        catch (Exception ex)
        {
            _events.Complete(ex);
            _completion.TrySetException(ex);
        }
        finally
        {
            // The run is over: another --resume of the job may go ahead.
            _resumeLock?.Dispose();
        }
    }

    /// <summary>Releasing at least this many dependents at once hands them to the ready queue in bulk.</summary>
    private const int BulkRelease = 64;

    /// <summary>Scratch list for <see cref="ReleaseDependentsLocked"/>; guarded by the lock.</summary>
    private List<TaskNode>? _released;

    /// <summary>Tasks shorter than this have their results batched for the reader (see <see cref="RunEventStream"/>).</summary>
    private static readonly TimeSpan BatchEventsBelow = TimeSpan.FromMicroseconds(50);

    private void Spawn(TaskNode node) => _ = Task.Run(() => WorkerLoopAsync(node));

    /// <summary>Runs a task, then keeps the worker busy with the next startable task instead of handing off.</summary>
    private async Task WorkerLoopAsync(TaskNode first)
    {
        var toStart = new List<TaskNode>(4);
        TaskNode? node = first;
        var inline = 0;
        // Real time, not the run's clock: this paces how long a worker keeps its thread, and a fake clock stands still.
        var yieldedAt = Environment.TickCount64;
        try
        {
            while (node is not null)
            {
                var pending = ExecuteAsync(node);
                TaskResult result;
                if (!pending.IsCompleted)
                {
                    result = await pending.ConfigureAwait(false);
                    yieldedAt = Environment.TickCount64;
                }
                else
                {
                    result = pending.Result;
                    // A worker running synchronous tasks back to back never gives its thread-pool thread back; with as
                    // many workers as cores that would starve the event reader, timers and everything else in the process
                    // until the pool adds threads. Going to the back of the queue about once a millisecond lets them run.
                    if ((++inline & 15) == 0 && Environment.TickCount64 != yieldedAt)
                    {
                        await Task.Yield();
                        yieldedAt = Environment.TickCount64;
                    }
                }
                lock (_lock) CompleteLocked(node, result, toStart);
                // Batching wake-ups pays only for tiny tasks: a worker going on to its next one lets events gather, while
                // one about to go idle, or done with a task that took a while anyway, wakes the reader now.
                _events.Flush(force: toStart.Count == 0 || result.Duration >= BatchEventsBelow);
                node = null;
                if (toStart.Count == 0) continue;
                node = toStart[0];
                for (var i = 1; i < toStart.Count; i++) Spawn(toStart[i]);
                toStart.Clear();
            }
        }
        catch (Exception ex)
        {
            // A bug in the engine must not hang the run: fail it loudly instead.
            _events.Complete(ex);
            _completion.TrySetException(new SkeinException($"The engine failed while running task '{node?.Id}': {ex.Message}", ex));
        }
    }

    private static TaskResult Cancelled(TaskNode node, string reason) =>
        new() { TaskId = node.Id, Outcome = Outcome.Cancelled, Reason = reason };

    private static TaskResult Skipped(TaskNode dependent, TaskNode waitedFor, Outcome outcome, string rootCause)
    {
        var what = outcome == Outcome.Skipped ? "was skipped" : Describe(outcome);
        string reason;
        if (ContainsOrdinal(dependent.Spec.Needs, waitedFor.Id))
        {
            reason = $"needs '{waitedFor.Id}', which {what}";
        }
        else
        {
            var capability = "";
            foreach (var provided in waitedFor.Spec.Provides)
            {
                if (ContainsOrdinal(dependent.Spec.Needs, provided)) { capability = provided; break; }
            }
            reason = $"needs capability '{capability}', whose provider '{waitedFor.Id}' {what}";
        }
        if (outcome == Outcome.Skipped) reason += $" (root cause: {rootCause})";
        return new TaskResult { TaskId = dependent.Id, Outcome = Outcome.Skipped, Reason = reason };
    }

    private static string Describe(Outcome outcome) => outcome switch
    {
        Outcome.Failed => "failed",
        Outcome.TimedOut => "timed out",
        Outcome.Errored => "errored",
        Outcome.Cancelled => "was cancelled",
        Outcome.Skipped => "was skipped",
        _ => outcome.ToWireName(),
    };

    private static bool ContainsOrdinal(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
