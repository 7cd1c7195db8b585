namespace Skein.Engine;

internal enum NodeState : byte
{
    Waiting,  // dependencies unfinished
    Ready,    // in its pool's ready queue
    Parked,   // ready, but a resource it needs is held
    Running,
    Done,
}

/// <summary>The scheduler's mutable state for one task. Guarded by the run's lock.</summary>
internal sealed class TaskNode
{
    public TaskNode(TaskSpec spec, int order, Pool pool)
    {
        Spec = spec;
        Order = order;
        Pool = pool;
        // Higher priority first, then earlier order: one long compares both. The negated priority needs 33 bits
        // (-int.MinValue does not fit an int) and the order 31, so the priority sits above bit 31, not 32.
        Key = (-(long)spec.Priority << 31) | (long)order;
    }

    public TaskSpec Spec { get; }
    public int Order { get; }
    public Pool Pool { get; }
    public long Key { get; }

    public NodeState State;
    public int PendingDeps;
    public TaskNode[] Deps = [];
    public List<TaskNode>? Dependents;
    public Resource[] ClaimResources = [];
    public Resource[] UseResources = [];
    public TaskResult? Result;
    public string DefinitionHash = "";

    /// <summary>The resource this task is counted in as a waiting claimer, if any.</summary>
    public Resource? AwaitedClaim;

    /// <summary>For a skipped task: the failure at the start of the chain, carried to its own dependents.</summary>
    public string? SkipRootCause;

    public string Id => Spec.Id;
}
