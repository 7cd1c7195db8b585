using System.Diagnostics;
using Skein.Bench.Reporting;

namespace Skein.Bench.Scenarios;

/// <summary>
/// Short shell commands through the engine against xargs running the same number of processes two at a time.
/// All variants are measured in one interleaved loop, so they share the machine's state within the same minute.
/// </summary>
internal sealed class CommandsScenario : Scenario
{
    public const int CommandCount = 2_000;
    public const int Workers = 2;
    public const double RatioGoal = 0.8;

    private static readonly Baseline[] Baselines =
    [
        new("xargs sh -c true", $"seq {CommandCount} | xargs -P {Workers} -n 1 sh -c true", Primary: true),
        new("xargs true (no shell)", $"seq {CommandCount} | xargs -P {Workers} -I{{}} true", Primary: false),
        new("xargs bash -c true", $"seq {CommandCount} | xargs -P {Workers} -I{{}} bash -c true", Primary: false),
        new("xargs setsid bash -c true", $"seq {CommandCount} | xargs -P {Workers} -I{{}} setsid bash -c true", Primary: false),
    ];

    public override string Name => "commands";

    public override string Description => $"{Format.Count(CommandCount)} `true` commands, {Workers} workers, engine vs xargs -P {Workers}";

    public override async Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var job = EngineHarness.CommandJob(CommandCount, "true");
        // One full run of each warms up: a second of commands is plenty for the JIT, and the page cache holds bash.
        await EngineHarness.RunAsync(job, EngineHarness.Options(settings, Workers), cancellationToken: cancellationToken);
        foreach (var baseline in Baselines) await RunShellAsync(baseline.Pipeline, cancellationToken);

        var repetitions = Math.Min(settings.Repetitions, 3);
        var engine = new List<EngineSample>(repetitions);
        var baselines = new List<ShellSample>[Baselines.Length];
        for (var b = 0; b < Baselines.Length; b++) baselines[b] = new List<ShellSample>(repetitions);
        for (var i = 0; i < repetitions; i++)
        {
            Measure.Quiesce();
            engine.Add(await EngineHarness.RunAsync(job, EngineHarness.Options(settings, Workers), cancellationToken: cancellationToken));
            for (var b = 0; b < Baselines.Length; b++) baselines[b].Add(await RunShellAsync(Baselines[b].Pipeline, cancellationToken));
        }
        engine.Sort(static (x, y) => x.Elapsed.CompareTo(y.Elapsed));
        var e = Measure.Median(engine);
        var engineRate = CommandCount / e.Elapsed.TotalSeconds;

        var rows = new List<ResultRow>
        {
            new(Name, $"engine, CommandAction, {Workers} workers", Format.Rate(engineRate))
            {
                Time = Format.Duration(e.Elapsed),
                Note = $"{Measure.Spread(engine, CommandCount)}; each task is bash -c in its own process group",
            },
        };
        for (var b = 0; b < Baselines.Length; b++)
        {
            baselines[b].Sort(static (x, y) => x.Elapsed.CompareTo(y.Elapsed));
            var median = Measure.Median(baselines[b]);
            var rate = CommandCount / median.Elapsed.TotalSeconds;
            var ratio = engineRate / rate;
            rows.Add(new ResultRow(Name, Baselines[b].Name, Format.Rate(rate))
            {
                Time = Format.Duration(median.Elapsed),
                Ratio = ratio,
                Goal = Baselines[b].Primary ? $"ratio ≥ {Format.Ratio(RatioGoal)}" : null,
                Met = Baselines[b].Primary ? ratio >= RatioGoal : null,
                Note = $"`{Baselines[b].Pipeline}`; {Measure.Spread(baselines[b], CommandCount)}; ratio is engine ÷ this",
            });
        }
        return rows;
    }

    private static async Task<ShellSample> RunShellAsync(string pipeline, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(pipeline);
        var begin = Measure.Timestamp();
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync(cancellationToken);
        var elapsed = Measure.Since(begin);
        if (process.ExitCode != 0) throw new InvalidOperationException($"`{pipeline}` exited with {process.ExitCode}.");
        return new ShellSample(elapsed);
    }

    private sealed record Baseline(string Name, string Pipeline, bool Primary);

    private sealed record ShellSample(TimeSpan Elapsed) : ISample;
}
