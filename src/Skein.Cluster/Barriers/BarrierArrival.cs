namespace Skein.Cluster.Barriers;

/// <summary>One participant arriving at a barrier, as the coordinator's board takes it.</summary>
internal sealed record BarrierArrival(string Barrier, string Participant, int Count, IReadOnlyList<string> Expected, string Context, TimeSpan Timeout);

/// <summary>
/// How an arrival ended: released (every participant with its context, in arrival order), or timed out (who had
/// arrived, without contexts, and the declared participants that had not).
/// </summary>
internal sealed record BarrierOutcome(bool TimedOut, IReadOnlyList<KeyValuePair<string, string>> Arrived, int Count, IReadOnlyList<string> Missing);

/// <summary>Why an arrival was refused, as the wire tells it (see rendezvous.proto).</summary>
internal enum BarrierRefusal
{
    /// <summary>A field out of bounds.</summary>
    Invalid,

    /// <summary>The barrier is meeting with another count or other participants.</summary>
    Conflict,

    /// <summary>A participant of that name is already waiting.</summary>
    Duplicate,

    /// <summary>Too many barriers open, or a meeting's contexts too large.</summary>
    Exhausted,
}

/// <summary>An arrival the board refused; the message names the barrier and the problem.</summary>
internal sealed class BarrierRefusedException(BarrierRefusal reason, string message) : Exception(message)
{
    public BarrierRefusal Reason { get; } = reason;
}
