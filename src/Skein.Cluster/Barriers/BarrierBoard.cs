using System.Text;
using Microsoft.Extensions.Logging;
using Skein.Cluster.Internal;

namespace Skein.Cluster.Barriers;

/// <summary>
/// The coordinator's barriers. A barrier is open while someone waits at it: its current meeting collects arrivals
/// until it has its count, releases them all at once with every context, and is gone, so the next arrivals under the
/// same name form a new meeting (barriers are reusable). A participant that times out or is cancelled (its call
/// ended, its client went away) is withdrawn at once and no longer counts. All state is in memory: a coordinator that
/// stops forgets every barrier.
/// </summary>
internal sealed partial class BarrierBoard(TimeProvider time, ILogger<BarrierBoard> logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Meeting> _open = new(StringComparer.Ordinal);

    /// <summary>Signalled after every arrival and withdrawal (tests and diagnostics wait on it rather than poll).</summary>
    public ChangeSignal Changed { get; } = new();

    /// <summary>Who is waiting at <paramref name="barrier"/> now, in arrival order (empty when it is not open).</summary>
    public IReadOnlyList<string> Waiting(string barrier)
    {
        lock (_lock) return _open.TryGetValue(barrier, out var meeting) ? [.. meeting.Arrivals.Select(a => a.Key)] : [];
    }

    /// <summary>How many barriers have someone waiting.</summary>
    public int OpenCount
    {
        get
        {
            lock (_lock) return _open.Count;
        }
    }

    /// <summary>
    /// Arrives and waits until the meeting is released or the arrival's timeout passes (both are answers, not
    /// exceptions). Cancelling withdraws the participant and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <exception cref="BarrierRefusedException">The arrival is out of bounds or does not fit the meeting under way.</exception>
    public async Task<BarrierOutcome> ArriveAsync(BarrierArrival arrival, CancellationToken cancellationToken)
    {
        if (BarrierLimits.Problem(arrival.Barrier, arrival.Participant, arrival.Count, arrival.Expected, arrival.Context, arrival.Timeout) is { } problem)
            throw new BarrierRefusedException(BarrierRefusal.Invalid, problem);
        var meeting = Join(arrival);
        Changed.Signal();
        try
        {
            return await meeting.Released.Task.WaitAsync(arrival.Timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            BarrierOutcome timedOut;
            lock (_lock)
            {
                // Released in the same instant: the release wins, as the others are told this participant came.
                if (meeting.Outcome is { } released) return released;
                var arrived = meeting.Arrivals.Select(a => new KeyValuePair<string, string>(a.Key, "")).ToList();
                var missing = meeting.Expected.Where(n => !meeting.Arrivals.Any(a => a.Key == n)).ToList();
                timedOut = new BarrierOutcome(true, arrived, meeting.Count, missing);
                Withdraw(meeting, arrival.Participant);
            }
            Changed.Signal();
            LogTimedOut(arrival.Barrier, arrival.Participant, timedOut.Arrived.Count, meeting.Count);
            return timedOut;
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                if (meeting.Outcome is null) Withdraw(meeting, arrival.Participant);
            }
            Changed.Signal();
            LogWithdrawn(arrival.Barrier, arrival.Participant);
            throw;
        }
    }

    private Meeting Join(BarrierArrival arrival)
    {
        var bytes = Encoding.UTF8.GetByteCount(arrival.Context);
        Meeting meeting;
        lock (_lock)
        {
            if (_open.TryGetValue(arrival.Barrier, out var open))
            {
                meeting = open;
                if (Conflict(meeting, arrival) is { } conflict) throw new BarrierRefusedException(BarrierRefusal.Conflict, conflict);
                if (meeting.Arrivals.Any(a => a.Key == arrival.Participant))
                    throw new BarrierRefusedException(BarrierRefusal.Duplicate,
                        $"barrier '{arrival.Barrier}': a participant named '{arrival.Participant}' is already waiting there; give each participant its own name");
                if (meeting.ContextBytes + bytes > BarrierLimits.MaxMeetingContextBytes)
                    throw new BarrierRefusedException(BarrierRefusal.Exhausted, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"barrier '{arrival.Barrier}': the contexts of its participants would come to {meeting.ContextBytes + bytes:N0} bytes, over the limit of {BarrierLimits.MaxMeetingContextBytes:N0} bytes (2 MiB) for one meeting"));
            }
            else
            {
                if (_open.Count >= BarrierLimits.MaxOpenBarriers)
                    throw new BarrierRefusedException(BarrierRefusal.Exhausted, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"barrier '{arrival.Barrier}' cannot open: the coordinator already holds {_open.Count:N0} open barriers, its limit"));
                meeting = new Meeting(arrival.Barrier, arrival.Count, arrival.Expected);
                _open.Add(arrival.Barrier, meeting);
            }
            meeting.Arrivals.Add(new KeyValuePair<string, string>(arrival.Participant, arrival.Context));
            meeting.ContextBytes += bytes;
            if (meeting.Arrivals.Count < meeting.Count) return meeting;
            // The last one in: the meeting is over (decided under the lock, so no withdrawal can follow) and the name
            // free for the next one.
            meeting.Outcome = new BarrierOutcome(false, [.. meeting.Arrivals], meeting.Count, []);
            _open.Remove(arrival.Barrier);
        }
        LogReleased(arrival.Barrier, meeting.Count);
        meeting.Released.TrySetResult(meeting.Outcome);
        return meeting;
    }

    private static string? Conflict(Meeting meeting, BarrierArrival arrival)
    {
        if (meeting.Count != arrival.Count)
            return $"barrier '{meeting.Name}' is meeting {meeting.Count} participants; '{arrival.Participant}' arrived for {arrival.Count}";
        if (!meeting.Expected.Order(StringComparer.Ordinal).SequenceEqual(arrival.Expected.Order(StringComparer.Ordinal), StringComparer.Ordinal))
            return $"barrier '{meeting.Name}' is meeting " + (meeting.Expected.Count > 0 ? string.Join(", ", meeting.Expected) : "any participants") +
                   $"; '{arrival.Participant}' arrived for " + (arrival.Expected.Count > 0 ? string.Join(", ", arrival.Expected) : "any participants");
        return null;
    }

    private void Withdraw(Meeting meeting, string participant)
    {
        var index = meeting.Arrivals.FindIndex(a => a.Key == participant);
        if (index < 0) return;
        meeting.ContextBytes -= Encoding.UTF8.GetByteCount(meeting.Arrivals[index].Value);
        meeting.Arrivals.RemoveAt(index);
        if (meeting.Arrivals.Count == 0 && _open.TryGetValue(meeting.Name, out var open) && open == meeting) _open.Remove(meeting.Name);
    }

    private sealed class Meeting(string name, int count, IReadOnlyList<string> expected)
    {
        public string Name { get; } = name;
        public int Count { get; } = count;
        public IReadOnlyList<string> Expected { get; } = expected;
        public List<KeyValuePair<string, string>> Arrivals { get; } = [];
        public long ContextBytes { get; set; }

        /// <summary>Set, under the board's lock, when the meeting released; from then on nobody is withdrawn from it.</summary>
        public BarrierOutcome? Outcome { get; set; }
        public TaskCompletionSource<BarrierOutcome> Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = 1601, Level = LogLevel.Debug, Message = "barrier {Barrier} released its {Count} participants")]
    private partial void LogReleased(string barrier, int count);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Information, Message = "barrier {Barrier}: {Participant} timed out with {Arrived} of {Count} arrived")]
    private partial void LogTimedOut(string barrier, string participant, int arrived, int count);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Debug, Message = "barrier {Barrier}: {Participant} withdrew (cancelled or gone)")]
    private partial void LogWithdrawn(string barrier, string participant);
}
