using Skein.Bench.Reporting;

namespace Skein.Bench.Scenarios;

/// <summary>One task releasing many at once, and one task waiting for all of them.</summary>
internal sealed class FanScenario : Scenario
{
    public const int Width = 50_000;
    private const int TaskCount = Width + 2;

    public override string Name => "fan";

    public override string Description => $"1 → {Format.Count(Width)} → 1 fan-out/fan-in of no-op tasks";

    public override async Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var job = EngineHarness.FanJob(Width);
        await Measure.WarmUpAsync(() => EngineHarness.RunAsync(job, EngineHarness.Options(settings, settings.Cores), cancellationToken: cancellationToken));
        var samples = await Measure.RepeatAsync(settings.Repetitions,
            () => EngineHarness.RunAsync(job, EngineHarness.Options(settings, settings.Cores), cancellationToken: cancellationToken));
        var median = Measure.Median(samples);
        return
        [
            new ResultRow(Name, $"engine, {settings.Cores} workers", Format.Rate(TaskCount / median.Elapsed.TotalSeconds))
            {
                Time = Format.Duration(median.Elapsed),
                Note = $"{Format.Count(TaskCount)} tasks; {Measure.Spread(samples, TaskCount)}; first result after {Format.Duration(median.FirstResult)}; "
                       + $"{Format.Number((double)median.AllocatedBytes / TaskCount, "0")} B allocated/task",
            },
        ];
    }
}
