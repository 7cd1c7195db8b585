using Microsoft.Extensions.Logging.Abstractions;
using Skein.Cluster.Barriers;

namespace Skein.Cluster.Tests.Barriers;

/// <summary>The coordinator's barriers on their own: the bounds on what it holds at once.</summary>
public sealed class BarrierBoardTests
{
    private static readonly TimeSpan Patience = TestPatience.Ceiling;
    private readonly BarrierBoard _board = new(TimeProvider.System, NullLogger<BarrierBoard>.Instance);

    private static BarrierArrival Arrival(string barrier, string participant, int count, string context = "") =>
        new(barrier, participant, count, [], context, Patience);

    [Fact]
    public async Task No_more_barriers_open_than_the_limit()
    {
        using var cancel = new CancellationTokenSource();
        var waiting = Enumerable.Range(0, BarrierLimits.MaxOpenBarriers)
            .Select(i => _board.ArriveAsync(Arrival($"b{i}", "p", 2), cancel.Token)).ToList();
        Assert.Equal(BarrierLimits.MaxOpenBarriers, _board.OpenCount);

        var refused = await Assert.ThrowsAsync<BarrierRefusedException>(() => _board.ArriveAsync(Arrival("one-more", "p", 2), TestContext.Current.CancellationToken));

        Assert.Equal(BarrierRefusal.Exhausted, refused.Reason);
        Assert.Equal("barrier 'one-more' cannot open: the coordinator already holds 1,024 open barriers, its limit", refused.Message);
        // An open barrier still takes arrivals; withdrawing everyone closes them all.
        Assert.Equal(["p", "q"], (await _board.ArriveAsync(Arrival("b0", "q", 2), TestContext.Current.CancellationToken)).Arrived.Select(a => a.Key));
        await cancel.CancelAsync();
        foreach (var wait in waiting.Skip(1)) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.Equal(0, _board.OpenCount);
    }

    [Fact]
    public async Task The_contexts_of_one_meeting_are_bounded_together()
    {
        using var cancel = new CancellationTokenSource();
        var full = new string('x', BarrierLimits.MaxContextBytes);
        var perMeeting = BarrierLimits.MaxMeetingContextBytes / BarrierLimits.MaxContextBytes;
        var waiting = Enumerable.Range(0, perMeeting).Select(i => _board.ArriveAsync(Arrival("big", $"p{i}", 100, full), cancel.Token)).ToList();

        var refused = await Assert.ThrowsAsync<BarrierRefusedException>(() => _board.ArriveAsync(Arrival("big", "last", 100, "y"), TestContext.Current.CancellationToken));

        Assert.Equal(BarrierRefusal.Exhausted, refused.Reason);
        Assert.Equal("barrier 'big': the contexts of its participants would come to 2,097,153 bytes, over the limit of 2,097,152 bytes (2 MiB) for one meeting", refused.Message);
        await cancel.CancelAsync();
        foreach (var wait in waiting) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.Empty(_board.Waiting("big"));
    }
}
