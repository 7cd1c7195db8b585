using Skein.Bench.Reporting;
using Skein.Engine;

namespace Skein.Bench.Scenarios;

/// <summary>Opens a fresh journal in the given state directory; the scenario disposes it after each run.</summary>
internal delegate ValueTask<IRunJournal> JournalFactory(string stateDirectory, CancellationToken cancellationToken);

/// <summary>
/// The noop scenario with the run journal on: what recording every attempt and result costs per task, against the
/// same run with the journal off and against SQLite alone writing the same rows (<see cref="SqliteLimit"/>). It is
/// registered only when <see cref="ScenarioCatalog"/> is given a journal factory, so it never reports a stand-in.
/// </summary>
internal sealed class JournalScenario(string journalName, JournalFactory openJournal) : Scenario
{
    public const int TaskCount = NoopScenario.TaskCount;

    /// <summary>The journaled engine's rate as a fraction of SQLite alone writing the run's final rows.</summary>
    public const double LimitRatioGoal = 0.6;

    public override string Name => "journal";

    public override string Description => $"{Format.Count(TaskCount)} no-op tasks with the {journalName} journal on, vs journal off";

    public override async Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var job = EngineHarness.IndependentJob("journal", TaskCount);
        await Measure.WarmUpAsync(() => RunJournaledAsync(job, settings, cancellationToken));
        if (ProfileRuns() is { } runs) return await ProfileAsync(job, runs, settings, cancellationToken);
        await Measure.WarmUpAsync(() => EngineHarness.RunAsync(job, EngineHarness.Options(settings, settings.Cores), cancellationToken: cancellationToken));

        var rows = new SqliteLimit.Rows(TaskCount, Path.Combine(settings.StateDirectory, "logs", "1"));
        await Measure.WarmUpAsync(() => RunLimitAsync(rows, SqliteLimit.Shape.FinalRows, settings, cancellationToken));
        await Measure.WarmUpAsync(() => RunLimitAsync(rows, SqliteLimit.Shape.DefinitionsThenResults, settings, cancellationToken));

        var journaled = new List<EngineSample>(settings.Repetitions);
        var plain = new List<EngineSample>(settings.Repetitions);
        var direct = new List<SqliteLimit.Sample>(settings.Repetitions);
        var finalRows = new List<SqliteLimit.Sample>(settings.Repetitions);
        var journalRows = new List<SqliteLimit.Sample>(settings.Repetitions);
        // CPU time of the whole process per repetition: under load it moves far less than wall time does.
        var cpu = new List<TimeSpan>[] { [], [], [], [], [] };
        await Measure.WarmUpAsync(() => RunDirectAsync(rows, settings, cancellationToken));
        for (var i = 0; i < settings.Repetitions; i++)
        {
            Measure.Quiesce();
            journaled.Add(await CpuAsync(cpu[0], () => RunJournaledAsync(job, settings, cancellationToken)));
            Measure.Quiesce();
            plain.Add(await CpuAsync(cpu[1], () => EngineHarness.RunAsync(job, EngineHarness.Options(settings, settings.Cores), cancellationToken: cancellationToken)));
            Measure.Quiesce();
            finalRows.Add(await CpuAsync(cpu[2], () => RunLimitAsync(rows, SqliteLimit.Shape.FinalRows, settings, cancellationToken)));
            Measure.Quiesce();
            journalRows.Add(await CpuAsync(cpu[3], () => RunLimitAsync(rows, SqliteLimit.Shape.DefinitionsThenResults, settings, cancellationToken)));
            Measure.Quiesce();
            direct.Add(await CpuAsync(cpu[4], () => RunDirectAsync(rows, settings, cancellationToken)));
        }
        foreach (var list in cpu) list.Sort();
        journaled.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));
        plain.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));
        finalRows.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));
        journalRows.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));
        direct.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));
        var j = Measure.Median(journaled);
        var p = Measure.Median(plain);
        var f = Measure.Median(finalRows);
        var d = Measure.Median(journalRows);
        var w = Measure.Median(direct);
        var rate = TaskCount / j.Elapsed.TotalSeconds;
        var limitRate = TaskCount / f.Elapsed.TotalSeconds;
        var definitionsRate = TaskCount / d.Elapsed.TotalSeconds;
        var limitRatio = rate / limitRate;
        return
        [
            new ResultRow(Name, $"engine + {journalName} journal, {settings.Cores} workers", Format.Rate(rate))
            {
                Time = Format.Duration(j.Elapsed),
                Ratio = limitRatio,
                Goal = $"≥ {Format.Ratio(LimitRatioGoal)} of SQLite alone (final rows)",
                Met = limitRatio >= LimitRatioGoal,
                Note = $"{Measure.Spread(journaled, TaskCount)}; ratio is ÷ SQLite alone writing the final rows; "
                       + $"÷ SQLite writing definitions then results {Format.Ratio(rate / definitionsRate)}; "
                       + $"÷ the same run with the journal off {Format.Ratio(rate / (TaskCount / p.Elapsed.TotalSeconds))}; "
                       + $"{Format.Number((double)j.AllocatedBytes / TaskCount, "0")} B allocated/task; {CpuPerTask(cpu[0])}; the run ends only once the journal made it durable",
            },
            new ResultRow(Name, "engine, journal off", Format.Rate(TaskCount / p.Elapsed.TotalSeconds))
            {
                Time = Format.Duration(p.Elapsed),
                Note = $"{Measure.Spread(plain, TaskCount)}; {CpuPerTask(cpu[1])}",
            },
            new ResultRow(Name, $"{journalName} journal fed directly from one thread, no engine", Format.Rate(TaskCount / w.Elapsed.TotalSeconds))
            {
                Time = Format.Duration(w.Elapsed),
                Ratio = TaskCount / w.Elapsed.TotalSeconds / limitRate,
                Note = $"{Measure.Spread(direct, TaskCount)}; the journal's own pace: the same events a run records, results made before the clock starts; {CpuPerTask(cpu[4])}",
            },
            new ResultRow(Name, "SQLite alone: final rows (task + attempt), C API, 10,000 tasks/commit", Format.Rate(limitRate))
            {
                Time = Format.Duration(f.Elapsed),
                Note = $"{Measure.Spread(finalRows, TaskCount)}; {Format.Number(f.Rows / f.Elapsed.TotalSeconds, "N0")} rows/s ({Format.Count(f.Rows)} rows); {CpuPerTask(cpu[2])}",
            },
            new ResultRow(Name, "SQLite alone: definitions up front, then attempt + task state", Format.Rate(definitionsRate))
            {
                Time = Format.Duration(d.Elapsed),
                Note = $"{Measure.Spread(journalRows, TaskCount)}; {Format.Number(d.Rows / d.Elapsed.TotalSeconds, "N0")} row writes/s ({Format.Count(d.Rows)} row writes); {CpuPerTask(cpu[3])}",
            },
        ];
    }

    /// <summary>With SKEIN_BENCH_JOURNAL_PROFILE=N: only the journaled run, N times, for a profiler to watch it alone.</summary>
    public const string ProfileVariable = "SKEIN_BENCH_JOURNAL_PROFILE";

    private static int? ProfileRuns() =>
        int.TryParse(Environment.GetEnvironmentVariable(ProfileVariable), System.Globalization.CultureInfo.InvariantCulture, out var runs) && runs > 0 ? runs : null;

    private async Task<IReadOnlyList<ResultRow>> ProfileAsync(Job job, int runs, BenchSettings settings, CancellationToken cancellationToken)
    {
        var samples = new List<EngineSample>(runs);
        var cpu = new List<TimeSpan>(runs);
        for (var i = 0; i < runs; i++) samples.Add(await CpuAsync(cpu, () => RunJournaledAsync(job, settings, cancellationToken)));
        samples.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));
        cpu.Sort();
        var median = Measure.Median(samples);
        return
        [
            new ResultRow(Name, $"engine + {journalName} journal, {settings.Cores} workers, alone ({ProfileVariable}={runs}: no limit, no ratio)",
                Format.Rate(TaskCount / median.Elapsed.TotalSeconds))
            {
                Time = Format.Duration(median.Elapsed),
                Note = $"{Measure.Spread(samples, TaskCount)}; {Format.Number((double)median.AllocatedBytes / TaskCount, "0")} B allocated/task; {CpuPerTask(cpu)}",
            },
        ];
    }

    /// <summary>
    /// The journal without the engine: what a run of no-op tasks records (the task list, then each task's attempt
    /// start, attempt end and result), from one thread, until the end of the run is durable.
    /// </summary>
    private async Task<SqliteLimit.Sample> RunDirectAsync(SqliteLimit.Rows rows, BenchSettings settings, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(settings.StateDirectory, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var now = DateTimeOffset.UtcNow;
        var tasks = new TaskRecord[rows.TaskIds.Length];
        var results = new TaskResult[rows.TaskIds.Length];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = new TaskRecord(rows.TaskIds[i], rows.Hashes[i], null, i);
            results[i] = new TaskResult
            {
                TaskId = rows.TaskIds[i], Outcome = Outcome.Passed, Attempts = 1, StartedAt = now, Duration = TimeSpan.FromTicks(10), LogPath = rows.LogPaths[i],
            };
        }
        var journal = await openJournal(directory, cancellationToken);
        await using (journal.ConfigureAwait(false))
        {
            var start = Measure.Timestamp();
            var runId = await journal.BeginRunAsync(new RunRecord("journal", null, now, null, null), cancellationToken);
            journal.RecordTasks(runId, tasks);
            for (var i = 0; i < results.Length; i++)
            {
                journal.RecordAttemptStarted(runId, rows.TaskIds[i], 1, now, rows.LogPaths[i]);
                journal.RecordAttemptFinished(runId, rows.TaskIds[i], 1, Outcome.Passed, null, null, now);
                journal.RecordTaskFinished(runId, results[i]);
            }
            await journal.EndRunAsync(runId, RunStatus.Passed, now, cancellationToken);
            return new SqliteLimit.Sample(Measure.Since(start), 2L * rows.TaskIds.Length + 1);
        }
    }

    private static async Task<T> CpuAsync<T>(List<TimeSpan> cpu, Func<Task<T>> run)
    {
        var before = Environment.CpuUsage.TotalTime;
        var sample = await run();
        cpu.Add(Environment.CpuUsage.TotalTime - before);
        return sample;
    }

    /// <summary>The median repetition's CPU time (all threads of the process) per task.</summary>
    private static string CpuPerTask(List<TimeSpan> sortedCpu) =>
        $"CPU {Format.Number(Measure.Median(sortedCpu).TotalMicroseconds / TaskCount, "0.00")} µs/task";

    private static async Task<SqliteLimit.Sample> RunLimitAsync(SqliteLimit.Rows rows, SqliteLimit.Shape shape, BenchSettings settings, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(settings.StateDirectory, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var file = await Journals.EmptyJournalFileAsync(directory);
        return SqliteLimit.Run(file, rows, shape);
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
