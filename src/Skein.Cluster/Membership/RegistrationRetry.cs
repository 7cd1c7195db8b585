using Skein.Cluster.Internal;

namespace Skein.Cluster.Membership;

/// <summary>
/// How a node keeps trying to register while the coordinator is there but slow: an attempt that timed out or met a
/// passing failure is tried again after the cluster's <see cref="Backoff"/> (exponential, capped, with jitter, on the
/// injected clock), each attempt allowed longer than the last, until an overall ceiling. A failure not worth retrying
/// (nothing listens, a wrong token) ends it at once.
/// </summary>
internal sealed class RegistrationRetry(TimeProvider time, TimeSpan firstAttemptTimeout, TimeSpan ceiling, TimeSpan maxDelay)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest a single attempt is allowed: longer ones only hide a coordinator that is truly stuck.</summary>
    internal static readonly TimeSpan MaxAttemptTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs <paramref name="attempt"/> — given the time it may take — until it succeeds, fails in a way
    /// <paramref name="worthRetrying"/> refuses, or the ceiling is reached; then the last failure is thrown.
    /// <paramref name="retrying"/> hears each failure retried and the delay before the next attempt.
    /// </summary>
    public Task<T> RunAsync<T>(Func<TimeSpan, CancellationToken, Task<T>> attempt, Func<Exception, bool> worthRetrying,
        Action<Exception, TimeSpan>? retrying, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        // The ceiling counts the wait that would follow, as its undisturbed (jitter-free) length.
        var backoff = new Backoff(time, FirstDelay, maxDelay,
            (ex, number) => worthRetrying(ex) && time.GetElapsedTime(started) + Nominal(number) < ceiling, retrying);
        return backoff.RunAsync((number, ct) => attempt(AttemptTimeout(number), ct), waitFirst: false, cancellationToken);
    }

    private TimeSpan Nominal(int number) => Doubled(FirstDelay, number, maxDelay);

    private TimeSpan AttemptTimeout(int number) =>
        Doubled(firstAttemptTimeout, number, firstAttemptTimeout > MaxAttemptTimeout ? firstAttemptTimeout : MaxAttemptTimeout);

    /// <summary><paramref name="start"/> doubled <paramref name="times"/> times, no longer than <paramref name="cap"/>.</summary>
    private static TimeSpan Doubled(TimeSpan start, int times, TimeSpan cap)
    {
        var value = start;
        for (var i = 0; i < times && value < cap; i++) value = value > cap / 2 ? cap : value * 2;
        return value < cap ? value : cap;
    }
}
