using Skein.Bench.Reporting;
using Skein.Engine;

namespace Skein.Bench.Scenarios;

/// <summary>
/// The engine's fixed cost per task: independent no-op C# tasks through JobRunner, against Parallel.ForEachAsync
/// invoking the very same delegates. Repetitions alternate between the two so both see the same machine.
/// </summary>
internal sealed class NoopScenario : Scenario
{
    public const int TaskCount = 100_000;
    public const double RateGoal = 300_000;
    public const double RatioGoal = 0.3;
    private const int BaselineSamplesPerRun = 3;

    public override string Name => "noop";

    public override string Description => $"{Format.Count(TaskCount)} independent no-op C# tasks, engine vs Parallel.ForEachAsync";

    public override async Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var bodies = EngineHarness.NoopBodies(TaskCount);
        var job = EngineHarness.IndependentJob("noop", bodies);

        var cold = await Measure.WarmUpAsync(() => EngineHarness.RunAsync(job, EngineHarness.Options(settings, settings.Cores), cancellationToken: cancellationToken));
        var coldBaseline = await Measure.WarmUpAsync(() => Baseline.RunAsync(bodies, settings.Cores, cancellationToken));

        // The baseline run is short and swings with thread scheduling, so it gets more samples; they are cheap.
        var engine = new List<EngineSample>(settings.Repetitions);
        var baseline = new List<BaselineSample>(settings.Repetitions * BaselineSamplesPerRun);
        for (var i = 0; i < settings.Repetitions; i++)
        {
            Measure.Quiesce();
            engine.Add(await EngineHarness.RunAsync(job, EngineHarness.Options(settings, settings.Cores), cancellationToken: cancellationToken));
            for (var k = 0; k < BaselineSamplesPerRun; k++)
            {
                Measure.Quiesce();
                baseline.Add(await Baseline.RunAsync(bodies, settings.Cores, cancellationToken));
            }
        }
        engine.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));
        baseline.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));
        var e = Measure.Median(engine);
        var b = Measure.Median(baseline);
        var engineRate = TaskCount / e.Elapsed.TotalSeconds;
        var baselineRate = TaskCount / b.Elapsed.TotalSeconds;
        var ratio = engineRate / baselineRate;

        var misses = new List<string>(2);
        if (engineRate < RateGoal) misses.Add("rate below goal");
        if (ratio < RatioGoal) misses.Add("ratio below goal");
        return
        [
            new ResultRow(Name, $"engine, {settings.Cores} workers", Format.Rate(engineRate))
            {
                Time = Format.Duration(e.Elapsed),
                Ratio = ratio,
                Goal = $"≥ {Format.Count((long)RateGoal)}/s, ratio ≥ {Format.Ratio(RatioGoal)}",
                Met = misses.Count == 0,
                Note = $"{Measure.Spread(engine, TaskCount)}; first result after {Format.Duration(e.FirstResult)}; "
                       + $"{Format.Number((double)e.AllocatedBytes / TaskCount, "0")} B allocated/task; "
                       + $"cold (first run in the process) {Format.Rate(TaskCount / cold.Elapsed.TotalSeconds)}"
                       + (misses.Count == 0 ? "" : "; " + string.Join(", ", misses)),
            },
            new ResultRow(Name, $"Parallel.ForEachAsync, DOP {settings.Cores}", Format.Rate(baselineRate))
            {
                Time = Format.Duration(b.Elapsed),
                Note = $"{Measure.Spread(baseline, TaskCount)}; {Format.Number((double)b.AllocatedBytes / TaskCount, "0")} B allocated/task; "
                       + $"cold {Format.Rate(TaskCount / coldBaseline.Elapsed.TotalSeconds)}",
            },
        ];
    }

    private sealed record BaselineSample(TimeSpan Elapsed, long AllocatedBytes) : ISample;

    private static class Baseline
    {
        /// <summary>
        /// The lean way to run ValueTask-returning delegates in parallel: no async state machine of our own, so the
        /// baseline is as fast as Parallel.ForEachAsync allows.
        /// </summary>
        public static async Task<BaselineSample> RunAsync(
            Func<TaskContext, CancellationToken, ValueTask<object?>>[] bodies, int cores, CancellationToken cancellationToken)
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = cores, CancellationToken = cancellationToken };
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var start = Measure.Timestamp();
            await Parallel.ForEachAsync(bodies, options, static (body, ct) =>
            {
                var pending = body(null!, ct);
                return pending.IsCompletedSuccessfully ? ValueTask.CompletedTask : new ValueTask(pending.AsTask());
            });
            var elapsed = Measure.Since(start);
            return new BaselineSample(elapsed, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
        }
    }
}
