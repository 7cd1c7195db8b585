using Skein.Engine;

namespace Skein.Cluster.Runs;

/// <summary>
/// One message of a hosted run's event stream: the header first (sequence 0), then the engine's
/// <see cref="RunEvent"/>s in order, then how the run ended, last.
/// </summary>
/// <param name="Sequence">Increasing from 1 within the run; watching again from <c>Sequence + 1</c> misses nothing and repeats nothing.</param>
public sealed record HostedRunEvent(long Sequence)
{
    public HostedRunHeader? Header { get; init; }

    public RunEvent? Event { get; init; }

    public HostedRunEnd? Ended { get; init; }
}

/// <summary>Which run is watched: its id, its job, the job's tasks in job order, and how many of them the run holds.</summary>
public sealed record HostedRunHeader(long RunId, string JobName, string? JobFile, IReadOnlyList<string> TaskIds, int TaskCount);

/// <summary>How a hosted run ended: what <see cref="RunSummary"/> says of a run in this process.</summary>
/// <param name="Error">Why the run could not go on (its journal failed), or null.</param>
public sealed record HostedRunEnd(RunStatus Status, DateTimeOffset StartedAt, TimeSpan Duration, IReadOnlyDictionary<Outcome, int> Counts, string? Error);

/// <summary>A piece of what a task's attempt wrote, as <c>skein logs</c> prints it.</summary>
/// <param name="Attempt">The attempt the bytes belong to.</param>
/// <param name="AttemptStart">True on the first piece of an attempt.</param>
/// <param name="Outcome">The attempt's outcome when it was known as its first piece was sent.</param>
/// <param name="Attempts">On the first piece of the first attempt: how many attempts the task had then.</param>
public sealed record RunLogPart(int Attempt, bool AttemptStart, Outcome? Outcome, int Attempts, ReadOnlyMemory<byte> Data);
