using Skein.Bench.Reporting;

namespace Skein.Bench.Scenarios;

/// <summary>
/// A million tasks: the rate of the first and the last 100,000 completions shows whether the cost per task grows
/// with the size of the run (it must not: every scheduler operation is O(log n) or better).
/// </summary>
internal sealed class MillionScenario : Scenario
{
    public const int TaskCount = 1_000_000;
    public const int Window = 100_000;

    /// <summary>The bench's own check: the last window may be at most 20% slower than the first.</summary>
    public const double SteadyGoal = 0.8;

    public override string Name => "million";

    public override string Description => $"{Format.Count(TaskCount)} independent no-op tasks: first vs last {Format.Count(Window)} completions";

    public override async Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        // Warm up on a smaller job: the code paths are the same, and more million-task jobs would only add time.
        var warmUp = EngineHarness.IndependentJob("million-warmup", Window);
        await Measure.WarmUpAsync(() => EngineHarness.RunAsync(warmUp, EngineHarness.Options(settings, settings.Cores), cancellationToken: cancellationToken));
        var job = EngineHarness.IndependentJob("million", TaskCount);
        var samples = await Measure.RepeatAsync(Math.Min(settings.Repetitions, 3),
            () => EngineHarness.RunAsync(job, EngineHarness.Options(settings, settings.Cores), Window, cancellationToken));
        var median = Measure.Median(samples);

        // Windows are measured by when tasks completed, from the first completion: validating a million tasks before
        // it, and the reader's own pace, stay out of them.
        var first = median.Completions[0];
        var last = median.Completions[^1] - median.Completions[^2];
        var firstRate = (Window - 1) / first.TotalSeconds;
        var lastRate = Window / last.TotalSeconds;
        var steady = lastRate / firstRate;
        var slowest = Window / MaxWindow(median).TotalSeconds;
        return
        [
            new ResultRow(Name, "first 100,000 completions", Format.Rate(firstRate))
            {
                Time = Format.Duration(first),
                Note = "by the tasks' own finish times (start + duration), from the first completion",
            },
            new ResultRow(Name, "last 100,000 completions", Format.Rate(lastRate))
            {
                Time = Format.Duration(last),
                Ratio = steady,
                Goal = $"≥ {Format.Ratio(SteadyGoal)} × first (bench's own check)",
                Met = steady >= SteadyGoal,
                Note = $"ratio is last ÷ first; slowest window {Format.Rate(slowest)}",
            },
            new ResultRow(Name, "overall, start to last result", Format.Rate(TaskCount / median.Elapsed.TotalSeconds))
            {
                Time = Format.Duration(median.Elapsed),
                Note = $"{Measure.Spread(samples, TaskCount)}; first result after {Format.Duration(median.FirstResult)}; "
                       + $"{Format.Number((double)median.AllocatedBytes / TaskCount, "0")} B allocated/task",
            },
        ];
    }

    private static TimeSpan MaxWindow(EngineSample sample)
    {
        var max = sample.Completions[0];
        for (var i = 1; i < sample.Completions.Length; i++) max = TimeSpan.FromTicks(Math.Max(max.Ticks, (sample.Completions[i] - sample.Completions[i - 1]).Ticks));
        return max;
    }
}
