using Skein.Bench.Reporting;
using Skein.Engine;

namespace Skein.Bench.Scenarios;

/// <summary>A fixed graph of no-op tasks run through the engine: what differs between shapes is the graph alone.</summary>
internal abstract class GraphShapeScenario : Scenario
{
    protected abstract int TaskCount { get; }

    protected abstract Job BuildJob();

    /// <summary>Said first in the row's note, when the shape has something to add.</summary>
    protected virtual string NotePrefix => "";

    public override async Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var job = BuildJob();
        await Measure.WarmUpAsync(() => EngineHarness.RunAsync(job, EngineHarness.Options(settings, settings.Cores), cancellationToken: cancellationToken));
        var samples = await Measure.RepeatAsync(settings.Repetitions,
            () => EngineHarness.RunAsync(job, EngineHarness.Options(settings, settings.Cores), cancellationToken: cancellationToken));
        var median = Measure.Median(samples);
        return
        [
            new ResultRow(Name, $"engine, {settings.Cores} workers", Format.Rate(TaskCount / median.Elapsed.TotalSeconds))
            {
                Time = Format.Duration(median.Elapsed),
                Note = $"{NotePrefix}{Measure.Spread(samples, TaskCount)}; first result after {Format.Duration(median.FirstResult)}; "
                       + $"{Format.Number((double)median.AllocatedBytes / TaskCount, "0")} B allocated/task",
            },
        ];
    }
}
