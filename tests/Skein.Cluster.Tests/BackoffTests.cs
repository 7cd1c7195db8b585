using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Skein.Cluster.Internal;

namespace Skein.Cluster.Tests;

/// <summary>
/// The cluster's one backoff (node reconnects, registration, the directory's re-watch): Polly's retry with jitter,
/// every wait on the injected clock, so fake time decides when the next attempt runs.
/// </summary>
public sealed class BackoffTests
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Fake time that reports each timer made, with its due time: the backoff's waits are the only timers.</summary>
    private sealed class WatchedTime : FakeTimeProvider
    {
        public Channel<TimeSpan> Timers { get; } = Channel.CreateUnbounded<TimeSpan>();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Timers.Writer.TryWrite(dueTime);
            return timer;
        }
    }

    [Fact]
    public async Task The_next_attempt_waits_for_the_clock_and_the_waits_are_capped_and_jittered()
    {
        var time = new WatchedTime();
        var delays = new List<TimeSpan>();
        var attempts = Channel.CreateUnbounded<int>();
        var backoff = new Backoff(time, First, Max, (_, _) => true, (_, delay) => delays.Add(delay));
        var running = backoff.RunAsync((number, _) =>
        {
            attempts.Writer.TryWrite(number);
            return number < 12 ? Task.FromException<int>(new IOException($"attempt {number}")) : Task.FromResult(number);
        }, waitFirst: false, Ct);

        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(i, await attempts.Reader.ReadAsync(Ct).AsTask().WaitAsync(TestPatience.Ceiling, Ct));
            var due = await time.Timers.Reader.ReadAsync(Ct).AsTask().WaitAsync(TestPatience.Ceiling, Ct);
            Assert.False(attempts.Reader.TryPeek(out _)); // nothing runs until the clock says so
            time.Advance(due);
        }

        Assert.Equal(12, await running.WaitAsync(TestPatience.Ceiling, Ct));
        Assert.Equal(12, delays.Count);
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromTicks(1), Max));
        Assert.True(delays.Distinct().Count() > 1, $"the waits should differ (jitter): {string.Join(", ", delays)}");
    }

    [Fact]
    public async Task After_a_break_the_first_attempt_also_waits_and_a_failure_not_worth_retrying_ends_it()
    {
        var time = new WatchedTime();
        var attempts = 0;
        var backoff = new Backoff(time, First, Max, (ex, _) => ex is IOException);
        var running = backoff.RunAsync<int>((_, _) =>
        {
            attempts++;
            throw new UnauthorizedAccessException("refused");
        }, waitFirst: true, Ct);

        var due = await time.Timers.Reader.ReadAsync(Ct).AsTask().WaitAsync(TestPatience.Ceiling, Ct);
        Assert.Equal(0, attempts);
        time.Advance(due);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => running.WaitAsync(TestPatience.Ceiling, Ct));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task Cancelling_ends_a_wait_at_once()
    {
        var time = new WatchedTime();
        using var stop = new CancellationTokenSource();
        var backoff = new Backoff(time, First, Max, (_, _) => true);
        var running = backoff.RunAsync<int>((_, _) => throw new IOException("down"), waitFirst: false, stop.Token);
        await time.Timers.Reader.ReadAsync(Ct).AsTask().WaitAsync(TestPatience.Ceiling, Ct);

        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TestPatience.Ceiling, Ct));
    }
}
