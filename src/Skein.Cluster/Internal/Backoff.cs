using Polly;
using Polly.Retry;

namespace Skein.Cluster.Internal;

/// <summary>
/// The cluster's one way of trying again: Polly's retry, exponential from <c>first</c> and capped at <c>max</c>, with
/// jitter so that many nodes that lost their coordinator together do not come back in step, every wait taken from
/// the injected <see cref="TimeProvider"/> and ended at once by cancellation. Node reconnects, a node's first
/// registration and the service directory's re-watch all go through it (the engine's task retries use Polly the
/// same way, in the engine).
/// </summary>
internal sealed class Backoff
{
    private readonly ResiliencePipeline _pipeline;

    /// <param name="worthRetrying">Whether a failed attempt (its exception, and which attempt it was, from 0) is tried again.</param>
    /// <param name="retrying">Hears each failure that is retried and the wait before the next attempt.</param>
    public Backoff(TimeProvider time, TimeSpan first, TimeSpan max, Func<Exception, int, bool> worthRetrying, Action<Exception, TimeSpan>? retrying = null)
    {
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                Delay = first,
                MaxDelay = max < first ? first : max,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => new ValueTask<bool>(args.Outcome.Exception switch
                {
                    WaitFirst => true,
                    OperationCanceledException when args.Context.CancellationToken.IsCancellationRequested => false,
                    { } failure => worthRetrying(failure, args.AttemptNumber - (args.Context.Properties.TryGetValue(WaitedFirst, out var waited) && waited ? 1 : 0)),
                    null => false,
                }),
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is { } failure and not WaitFirst) retrying?.Invoke(failure, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    private static readonly ResiliencePropertyKey<bool> WaitedFirst = new("skein.backoff.waited-first");

    /// <summary>
    /// Runs <paramref name="attempt"/> (given its number, from 0) until it returns, or fails in a way not worth
    /// retrying, which is thrown. With <paramref name="waitFirst"/> the first attempt too comes after a wait, as after
    /// a connection that just broke, so that a peer that accepts and drops at once cannot make the caller spin.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired, during an attempt or a wait.</exception>
    public async Task<T> RunAsync<T>(Func<int, CancellationToken, Task<T>> attempt, bool waitFirst, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(WaitedFirst, waitFirst);
        try
        {
            var calls = 0;
            var outcome = await _pipeline.ExecuteOutcomeAsync(async (ctx, _) =>
            {
                var number = calls++ - (waitFirst ? 1 : 0);
                if (number < 0) return Polly.Outcome.FromException<T>(new WaitFirst());
                try
                {
                    return Polly.Outcome.FromResult(await attempt(number, ctx.CancellationToken).ConfigureAwait(false));
                }
                catch (Exception ex)
                {
                    return Polly.Outcome.FromException<T>(ex);
                }
            }, context, 0).ConfigureAwait(false);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Stands for the attempt before the first: it only makes Polly wait its first delay.</summary>
    private sealed class WaitFirst : Exception;
}
