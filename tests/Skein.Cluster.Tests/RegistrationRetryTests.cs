using System.Net.Sockets;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using Skein.Cluster.Membership;
using Skein.Cluster.Addressing;

namespace Skein.Cluster.Tests;

/// <summary>A node's first registration on a slow coordinator: retried with backoff on fake time, up to its ceiling.</summary>
public class RegistrationRetryTests
{
    private static readonly TimeSpan FirstAttempt = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Fake time that says when a timer is made, and for when: the retry's backoff waits are the only timers.</summary>
    private sealed class WatchedTime : FakeTimeProvider
    {
        public WatchedTime() : base(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)) { }

        public Channel<TimeSpan> Timers { get; } = Channel.CreateUnbounded<TimeSpan>();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Timers.Writer.TryWrite(dueTime);
            return timer;
        }
    }

    private static bool SlowOrPassing(Exception ex) => ex is RpcException { StatusCode: StatusCode.DeadlineExceeded or StatusCode.Unavailable };

    // Lets every backoff wait pass as soon as it starts, until the run ends.
    private static async Task<T> DriveAsync<T>(WatchedTime time, Task<T> running)
    {
        while (true)
        {
            var next = time.Timers.Reader.ReadAsync(Ct).AsTask();
            if (await Task.WhenAny(running, next) == running) return await running;
            time.Advance(await next);
        }
    }

    [Fact]
    public async Task Attempts_that_time_out_or_meet_an_unavailable_coordinator_are_tried_again_each_allowed_longer()
    {
        var time = new WatchedTime();
        var retry = new RegistrationRetry(time, FirstAttempt, TimeSpan.FromMinutes(2), MaxDelay);
        var allowed = new List<TimeSpan>();
        var delays = new List<TimeSpan>();
        var running = retry.RunAsync((timeout, _) =>
        {
            allowed.Add(timeout);
            time.Advance(allowed.Count == 2 ? TimeSpan.FromMilliseconds(5) : timeout); // the coordinator kept it waiting for its whole time
            return allowed.Count switch
            {
                1 => throw new RpcException(new Status(StatusCode.DeadlineExceeded, "slow")),
                2 => throw new RpcException(new Status(StatusCode.Unavailable, "connection reset")),
                3 => throw new RpcException(new Status(StatusCode.DeadlineExceeded, "slow")),
                _ => Task.FromResult("n7"),
            };
        }, SlowOrPassing, (_, delay) => delays.Add(delay), Ct);

        Assert.Equal("n7", await DriveAsync(time, running));
        Assert.Equal([FirstAttempt, FirstAttempt * 2, FirstAttempt * 4, RegistrationRetry.MaxAttemptTimeout], allowed);
        // Waits of the cluster's backoff: jittered, so only their number and bounds are known.
        Assert.Equal(3, delays.Count);
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromTicks(1), MaxDelay));
    }

    [Fact]
    public async Task A_failure_not_worth_retrying_ends_it_at_once()
    {
        var time = new WatchedTime();
        var retry = new RegistrationRetry(time, FirstAttempt, TimeSpan.FromMinutes(2), MaxDelay);
        var attempts = 0;
        var running = retry.RunAsync<string>((_, _) =>
        {
            attempts++;
            throw new RpcException(new Status(StatusCode.Unauthenticated, "wrong token"));
        }, SlowOrPassing, null, Ct);

        var error = await Assert.ThrowsAsync<RpcException>(() => DriveAsync(time, running));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task A_coordinator_that_never_answers_is_given_up_on_at_the_ceiling_with_the_last_failure()
    {
        var time = new WatchedTime();
        var ceiling = TimeSpan.FromMinutes(2);
        var retry = new RegistrationRetry(time, FirstAttempt, ceiling, MaxDelay);
        var started = time.GetTimestamp();
        var allowed = new List<TimeSpan>();
        var running = retry.RunAsync<string>((timeout, _) =>
        {
            allowed.Add(timeout);
            time.Advance(timeout);
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"attempt {allowed.Count}"));
        }, SlowOrPassing, null, Ct);

        var error = await Assert.ThrowsAsync<RpcException>(() => DriveAsync(time, running));
        Assert.Equal($"attempt {allowed.Count}", error.Status.Detail);
        Assert.True(allowed.Count >= 3, $"{allowed.Count} attempts");
        Assert.All(allowed, a => Assert.True(a <= RegistrationRetry.MaxAttemptTimeout));
        Assert.True(time.GetElapsedTime(started) <= ceiling + RegistrationRetry.MaxAttemptTimeout, $"gave up after {time.GetElapsedTime(started)}");
    }

    [Fact]
    public void A_node_retries_a_slow_or_flaky_coordinator_but_not_one_where_nothing_listens_or_that_refuses_it()
    {
        var address = new Uri("http://127.0.0.1:7700");
        var timedOut = new NodeAgent.AttemptTimedOutException("slow", new OperationCanceledException());
        Assert.True(NodeAgent.IsWorthRetrying(timedOut, previousAttemptTimedOut: false));

        var refused = new RpcException(new Status(StatusCode.Unavailable, "refused", new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.False(NodeAgent.IsWorthRetrying(new ClusterUnreachableException(address, "refused", refused), previousAttemptTimedOut: false));

        var reset = new RpcException(new Status(StatusCode.Unavailable, "reset", new IOException("the connection was reset")));
        Assert.True(NodeAgent.IsWorthRetrying(new ClusterUnreachableException(address, "reset", reset), previousAttemptTimedOut: false));

        // The name still alive right after our own attempt timed out is that attempt, which the coordinator will drop.
        var inUse = new SkeinException("a node named 'n' is already alive", new RpcException(new Status(StatusCode.AlreadyExists, "in use")));
        Assert.True(NodeAgent.IsWorthRetrying(inUse, previousAttemptTimedOut: true));
        Assert.False(NodeAgent.IsWorthRetrying(inUse, previousAttemptTimedOut: false));

        var wrongToken = new SkeinException("refused the cluster token", new RpcException(new Status(StatusCode.Unauthenticated, "no")));
        Assert.False(NodeAgent.IsWorthRetrying(wrongToken, previousAttemptTimedOut: true));
    }
}
