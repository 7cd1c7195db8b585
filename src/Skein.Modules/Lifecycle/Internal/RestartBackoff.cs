using Polly;
using Polly.Retry;

namespace Skein.Modules.Lifecycle.Internal;

/// <summary>
/// The supervisor's wait before a restart, through Polly like the cluster's other backoffs: Polly picks the delay
/// (jittered, never past <c>max-backoff</c>) and waits it on the injected <see cref="TimeProvider"/>, ended at once
/// by cancellation.
/// </summary>
/// <remarks>
/// The size of the step comes from the restart window, not from Polly's count of attempts: a module's delay doubles
/// with each restart still inside <c>within</c> and shrinks again as restarts fall out of it, which no single retry
/// loop knows. So each step the restart policy gives gets its own one-retry pipeline with that step as
/// its constant delay, and Polly's jitter spreads it by up to a quarter either way, so that the same module crashing
/// on many nodes at once (a shared dependency gone) does not come back everywhere in the same instant.
/// </remarks>
internal sealed class RestartBackoff
{
    private static readonly ResiliencePropertyKey<PendingRestart> Pending = new("skein.supervisor.pending-restart");

    private readonly TimeSpan _maxBackoff;
    private readonly TimeProvider _time;
    private readonly Func<double>? _randomizer;

    // One pipeline per step of the policy's doubling: a handful at most (backoff doubled until max-backoff).
    private readonly Dictionary<TimeSpan, ResiliencePipeline<bool>> _pipelines = [];

    /// <param name="maxBackoff">The policy's <c>max-backoff</c>: no wait is longer, jitter included.</param>
    /// <param name="randomizer">Polly's source of jitter (values from 0 to 1; 0.5 jitters nothing); null for Polly's own.</param>
    public RestartBackoff(TimeSpan maxBackoff, TimeProvider time, Func<double>? randomizer = null)
    {
        _maxBackoff = maxBackoff;
        _time = time;
        _randomizer = randomizer;
    }

    /// <summary>
    /// Starts the wait before a restart whose policy asks for <paramref name="step"/> (its backoff doubled for the
    /// restarts already inside the window), jittered by Polly. The returned delay is the one Polly chose, known before the wait ends; by then Polly has started the
    /// wait's timer, as it does before handing over the delay it picked.
    /// </summary>
    public PendingRestart Begin(TimeSpan step, CancellationToken cancellationToken)
    {
        var pending = new PendingRestart(step);
        pending.Elapsed = WaitAsync(PipelineFor(step), pending, cancellationToken);
        return pending;
    }

    private async Task WaitAsync(ResiliencePipeline<bool> pipeline, PendingRestart pending, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(Pending, pending);
        try
        {
            // The first attempt only says "not yet", so that Polly waits its delay once; the second ends the wait.
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static (_, p) => new ValueTask<Outcome<bool>>(Polly.Outcome.FromResult(p.Attempt())),
                context,
                pending).ConfigureAwait(false);
            outcome.ThrowIfException();
        }
        finally
        {
            // Cancelled before Polly chose a delay (a stop that came first): the restart is called off anyway, and the
            // announcement says what the policy would have waited.
            pending.Chose(pending.Step);
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private ResiliencePipeline<bool> PipelineFor(TimeSpan step)
    {
        lock (_pipelines)
        {
            if (_pipelines.TryGetValue(step, out var pipeline)) return pipeline;
            var options = new RetryStrategyOptions<bool>
            {
                MaxRetryAttempts = 1,
                Delay = step,
                MaxDelay = _maxBackoff,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = true,
                ShouldHandle = args => new ValueTask<bool>(args.Outcome.Exception is null && !args.Outcome.Result),
                OnRetry = args =>
                {
                    if (args.Context.Properties.TryGetValue(Pending, out var p)) p.Chose(args.RetryDelay);
                    return default;
                },
            };
            if (_randomizer is not null) options.Randomizer = _randomizer;
            pipeline = new ResiliencePipelineBuilder<bool> { TimeProvider = _time }.AddRetry(options).Build();
            _pipelines.Add(step, pipeline);
            return pipeline;
        }
    }
}

/// <summary>A restart waiting for its backoff: the delay Polly chose and the wait itself.</summary>
internal sealed class PendingRestart(TimeSpan step)
{
    private readonly TaskCompletionSource<TimeSpan> _delay = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _attempts;

    /// <summary>The policy's delay for this restart before jitter.</summary>
    public TimeSpan Step { get; } = step;

    /// <summary>The wait Polly chose; completes before <see cref="Elapsed"/> does.</summary>
    public Task<TimeSpan> Delay => _delay.Task;

    /// <summary>Completes when the restart is due; throws an <see cref="OperationCanceledException"/> when called off.</summary>
    public Task Elapsed { get; internal set; } = Task.CompletedTask;

    internal bool Attempt() => Interlocked.Increment(ref _attempts) > 1;

    internal void Chose(TimeSpan delay) => _delay.TrySetResult(delay);
}
