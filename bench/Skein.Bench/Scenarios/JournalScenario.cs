using Skein.Bench.Reporting;
using Skein.Engine;

namespace Skein.Bench.Scenarios;

/// <summary>Opens a fresh journal in the given state directory; the scenario disposes it after each run.</summary>
internal delegate ValueTask<IRunJournal> JournalFactory(string stateDirectory, CancellationToken cancellationToken);

/// <summary>
/// The noop scenario with the run journal on: what recording every attempt and result costs per task. It is
/// registered only when <see cref="ScenarioCatalog"/> is given a journal factory, so it never reports a stand-in.
/// </summary>
internal sealed class JournalScenario(string journalName, JournalFactory openJournal) : Scenario
{
    public const int TaskCount = NoopScenario.TaskCount;

    public override string Name => "journal";

    public override string Description => $"{Format.Count(TaskCount)} no-op tasks with the {journalName} journal on, vs journal off";

    public override async Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var job = EngineHarness.IndependentJob("journal", TaskCount);
        await Measure.WarmUpAsync(() => RunJournaledAsync(job, settings, cancellationToken));
        await Measure.WarmUpAsync(() => EngineHarness.RunAsync(job, EngineHarness.Options(settings, settings.Cores), cancellationToken: cancellationToken));

        var journaled = new List<EngineSample>(settings.Repetitions);
        var plain = new List<EngineSample>(settings.Repetitions);
        for (var i = 0; i < settings.Repetitions; i++)
        {
            Measure.Quiesce();
            journaled.Add(await RunJournaledAsync(job, settings, cancellationToken));
            Measure.Quiesce();
            plain.Add(await EngineHarness.RunAsync(job, EngineHarness.Options(settings, settings.Cores), cancellationToken: cancellationToken));
        }
        journaled.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));
        plain.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));
        var j = Measure.Median(journaled);
        var p = Measure.Median(plain);
        var rate = TaskCount / j.Elapsed.TotalSeconds;
        return
        [
            new ResultRow(Name, $"engine + {journalName} journal, {settings.Cores} workers", Format.Rate(rate))
            {
                Time = Format.Duration(j.Elapsed),
                Ratio = rate / (TaskCount / p.Elapsed.TotalSeconds),
                Note = $"{Measure.Spread(journaled, TaskCount)}; ratio is ÷ the same run with the journal off; "
                       + $"{Format.Number((double)j.AllocatedBytes / TaskCount, "0")} B allocated/task; the run ends only once the journal made it durable",
            },
            new ResultRow(Name, "engine, journal off", Format.Rate(TaskCount / p.Elapsed.TotalSeconds))
            {
                Time = Format.Duration(p.Elapsed),
                Note = Measure.Spread(plain, TaskCount),
            },
        ];
    }

    private async Task<EngineSample> RunJournaledAsync(Job job, BenchSettings settings, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(settings.StateDirectory, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var journal = await openJournal(directory, cancellationToken);
        await using (journal.ConfigureAwait(false))
        {
            var options = new RunOptions { Workers = settings.Cores, StateDirectory = directory, Journal = journal };
            return await EngineHarness.RunAsync(job, options, cancellationToken: cancellationToken);
        }
    }
}
