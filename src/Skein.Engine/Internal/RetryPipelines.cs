using Polly;
using Polly.Retry;

namespace Skein.Engine;

/// <summary>
/// The Polly pipelines that run a task's attempts when its retries wait: one per distinct retries, delay and backoff,
/// built (and validated) once per run. Every delay comes from the run's <see cref="TimeProvider"/> and ends at once
/// when the run is cancelled.
/// </summary>
/// <param name="shouldRetry">Whether an attempt's outcome calls for another attempt (the count is Polly's to keep).</param>
/// <param name="onRetry">Called when a retry is decided, before its delay.</param>
internal sealed class RetryPipelines<TOutcome>(
    TimeProvider time,
    Func<TOutcome, bool> shouldRetry,
    Func<OnRetryArguments<TOutcome>, ValueTask> onRetry)
{
    private readonly Dictionary<(int Retries, TimeSpan Delay, RetryBackoff Backoff), ResiliencePipeline<TOutcome>> _pipelines = [];

    public ResiliencePipeline<TOutcome> For(TaskSpec spec)
    {
        var key = (spec.Retries, spec.RetryDelay, spec.RetryBackoff);
        lock (_pipelines)
        {
            if (!_pipelines.TryGetValue(key, out var pipeline)) _pipelines[key] = pipeline = Build(key.Retries, key.RetryDelay, key.RetryBackoff);
            return pipeline;
        }
    }

    private ResiliencePipeline<TOutcome> Build(int retries, TimeSpan delay, RetryBackoff backoff) =>
        new ResiliencePipelineBuilder<TOutcome> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<TOutcome>
            {
                MaxRetryAttempts = retries,
                Delay = delay,
                // A delay that grows is capped where a given one must stop.
                MaxDelay = RetryDelays.Longest,
                BackoffType = backoff switch
                {
                    RetryBackoff.Constant => DelayBackoffType.Constant,
                    RetryBackoff.Linear => DelayBackoffType.Linear,
                    _ => DelayBackoffType.Exponential,
                },
                // Many tasks failing together (a server restarting) must not come back together.
                UseJitter = true,
                ShouldHandle = args => new ValueTask<bool>(args.Outcome.Exception is null && shouldRetry(args.Outcome.Result!)),
                OnRetry = onRetry,
            })
            .Build();
}
