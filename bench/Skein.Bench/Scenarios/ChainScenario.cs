using Skein.Bench.Reporting;

namespace Skein.Bench.Scenarios;

/// <summary>Dependent tasks one after another: the latency of releasing a dependent and starting it.</summary>
internal sealed class ChainScenario : Scenario
{
    public const int TaskCount = 10_000;

    public override string Name => "chain";

    public override string Description => $"{Format.Count(TaskCount)} no-op tasks in a chain, each needing the one before";

    public override async Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var job = EngineHarness.ChainJob(TaskCount);
        await Measure.WarmUpAsync(() => EngineHarness.RunAsync(job, EngineHarness.Options(settings, settings.Cores), cancellationToken: cancellationToken));
        var samples = await Measure.RepeatAsync(settings.Repetitions,
            () => EngineHarness.RunAsync(job, EngineHarness.Options(settings, settings.Cores), cancellationToken: cancellationToken));
        var median = Measure.Median(samples);
        return
        [
            new ResultRow(Name, $"engine, {settings.Cores} workers", Format.Rate(TaskCount / median.Elapsed.TotalSeconds))
            {
                Time = Format.Duration(median.Elapsed),
                Note = $"{Measure.Spread(samples, TaskCount)}; first result after {Format.Duration(median.FirstResult)}; "
                       + $"{Format.Number((double)median.AllocatedBytes / TaskCount, "0")} B allocated/task",
            },
        ];
    }
}
