namespace Skein.Cluster.Membership;

/// <summary>
/// How a node keeps trying to register while the coordinator is there but slow: an attempt that timed out or met a
/// passing failure is tried again after a capped exponential backoff, each attempt allowed longer than the last,
/// until an overall ceiling. A failure not worth retrying (nothing listens, a wrong token) ends it at once.
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
    public async Task<T> RunAsync<T>(Func<TimeSpan, CancellationToken, Task<T>> attempt, Func<Exception, bool> worthRetrying,
        Action<Exception, TimeSpan>? retrying, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var delay = FirstDelay;
        var attemptTimeout = firstAttemptTimeout;
        while (true)
        {
            try
            {
                return await attempt(attemptTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && worthRetrying(ex)
                && time.GetElapsedTime(started) + delay < ceiling)
            {
                retrying?.Invoke(ex, delay);
            }
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, maxDelay.Ticks));
            attemptTimeout = TimeSpan.FromTicks(Math.Min(attemptTimeout.Ticks * 2, Math.Max(MaxAttemptTimeout.Ticks, firstAttemptTimeout.Ticks)));
        }
    }
}
