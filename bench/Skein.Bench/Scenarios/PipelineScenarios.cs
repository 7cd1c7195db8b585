using Skein.Bench.Reporting;
using Skein.Cluster.Execution;
using Skein.Engine;
using Skein.Pipelines;
using Skein.Testing;

namespace Skein.Bench.Scenarios;

/// <summary>Elements the pipeline scenarios wire: a source of samples and a step that hands them on changed.</summary>
public static class BenchElements
{
    public sealed class Source : Element
    {
        [Output] public double[] Samples { get; private set; } = [];

        [Output] public double Value { get; private set; }

        public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
        {
            Samples = [1, 2, 3];
            Value = 1;
            return ValueTask.CompletedTask;
        }
    }

    public sealed class Step : Element
    {
        [Input] public IReadOnlyList<double> Samples { get; set; } = [];

        [Input] public double Value { get; set; }

        [Output("samples")] public double[] Out { get; private set; } = [];

        [Output("value")] public double Next { get; private set; }

        public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
        {
            Out = Samples as double[] ?? [.. Samples];
            Next = Value + 1;
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The nodes pipeline-edge places its steps on in turn (empty: anywhere); the nodes build the same pipeline.</summary>
    public static IReadOnlyList<string> Nodes { get; set; } = [];

    /// <summary>The chain pipeline-edge runs on a cluster, found by the nodes as any shipped pipeline is.</summary>
    [Pipeline]
    public static Pipeline Edge => Chains("edge", 1, PipelineEdgeScenario.ClusterLength);

    /// <summary><paramref name="chains"/> chains of <paramref name="length"/> elements: a source, then steps.</summary>
    public static Pipeline Chains(string name, int chains, int length)
    {
        var parts = new List<Chain>(chains);
        for (var c = 0; c < chains; c++)
        {
            Chain chain = new Source();
            for (var i = 1; i < length; i++) chain >>= Nodes.Count == 0 ? new Step() : new Step().On(Nodes[i % Nodes.Count]);
            parts.Add(chain);
        }
        return new Pipeline(name, parts);
    }
}

/// <summary>
/// The remote call pipeline-edge compares a cross-node edge with: a step's payload (a double and a double[3]) to a
/// node and the next step's back, as <see cref="BenchElements.Step"/> hands them on.
/// </summary>
[Service("bench-step")]
public interface IBenchStep
{
    Task<BenchStepValues> StepAsync(double[] samples, double value);
}

/// <summary>What a step hands on: the samples and the next value.</summary>
public sealed class BenchStepValues
{
    public double[] Samples { get; set; } = [];

    public double Value { get; set; }
}

/// <summary>Hands the samples back and the value plus one.</summary>
public sealed class BenchStep : IBenchStep
{
    public Task<BenchStepValues> StepAsync(double[] samples, double value) => Task.FromResult(new BenchStepValues { Samples = samples, Value = value + 1 });
}

/// <summary>Checking a pipeline of 10,000 elements (1,000 chains of 10) before it runs: issue 14 §6.</summary>
internal sealed class PipelineCheckScenario : Scenario
{
    private const int Chains = 1_000;
    private const int Length = 10;
    private const int Elements = Chains * Length;
    private static readonly TimeSpan Goal = TimeSpan.FromSeconds(1);

    public override string Name => "pipeline-check";

    public override string Description => $"check a pipeline of {Format.Count(Elements)} elements ({Format.Count(Chains)} chains of {Length}, {Format.Count(Chains * (Length - 1) * 2)} edges)";

    public override async Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        await Measure.WarmUpAsync(() => Task.FromResult(Once()));
        var samples = await Measure.RepeatAsync(settings.Repetitions, () => Task.FromResult(Once()));
        var median = Measure.Median(samples);
        return
        [
            new ResultRow(Name, $"PipelineChecker.Check, {Format.Count(Elements)} elements", Format.Duration(median.Elapsed))
            {
                Time = Format.Duration(median.Elapsed),
                Goal = $"< {Format.Duration(Goal)}",
                Met = median.Elapsed < Goal,
                Note = $"median of {samples.Count} ({Format.Duration(samples[0].Elapsed)}–{Format.Duration(samples[^1].Elapsed)}); "
                       + $"CPU time of the process meanwhile {Format.Duration(median.Cpu)} (a loaded machine stretches wall time); "
                       + $"building the pipeline (>> and new Pipeline) {Format.Duration(median.Build)}; {Format.Bytes(median.Allocated)} allocated by the check",
            },
        ];
    }

    private static CheckSample Once()
    {
        var start = Measure.Timestamp();
        var pipeline = BenchElements.Chains("check", Chains, Length);
        var built = Measure.Since(start);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Environment.CpuUsage.TotalTime;
        start = Measure.Timestamp();
        var check = PipelineChecker.Check(pipeline);
        var elapsed = Measure.Since(start);
        cpu = Environment.CpuUsage.TotalTime - cpu;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        if (!check.IsValid) throw new InvalidOperationException($"the benchmark pipeline is invalid: {check.Problems[0]}");
        return new CheckSample(elapsed, built, allocated, cpu);
    }

    private sealed record CheckSample(TimeSpan Elapsed, TimeSpan Build, long Allocated, TimeSpan Cpu) : ISample;
}

/// <summary>
/// What passing a value along an edge costs in one process (issue 14 §6): a chain of elements, each handing a
/// number and a small array to the next, run by PipelineRunner; against the engine alone (a chain of C# tasks passing
/// the same values through their results) and a plain method call per step. Alternating rounds, medians.
/// </summary>
internal sealed class PipelineEdgeScenario : Scenario
{
    public const int Length = 2_000;

    /// <summary>
    /// The chain on the cluster is shorter: a node builds the whole pipeline again for every element it runs (to find
    /// that element in it), so a step's cost there grows with the chain's length; the row reports that build apart.
    /// </summary>
    public const int ClusterLength = 200;
    private const int Edges = (Length - 1) * 2;

    public override string Name => "pipeline-edge";

    public override string Description => $"a chain of {Format.Count(Length)} elements passing a double and a double[3]: pipeline vs engine tasks vs plain calls";

    public override async Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var engineJob = EngineChain();
        await Measure.WarmUpAsync(() => PipelineOnceAsync(settings, cancellationToken));
        await Measure.WarmUpAsync(() => EngineOnceAsync(engineJob, settings, cancellationToken));
        await Measure.WarmUpAsync(() => Task.FromResult(PlainOnce()));
        var pipeline = new List<Sample>();
        var engine = new List<Sample>();
        var plain = new List<Sample>();
        for (var i = 0; i < settings.Repetitions; i++)
        {
            Measure.Quiesce();
            pipeline.Add(await PipelineOnceAsync(settings, cancellationToken));
            Measure.Quiesce();
            engine.Add(await EngineOnceAsync(engineJob, settings, cancellationToken));
            Measure.Quiesce();
            plain.Add(PlainOnce());
        }
        pipeline.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));
        engine.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));
        plain.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));
        var p = Measure.Median(pipeline);
        var e = Measure.Median(engine);
        var c = Measure.Median(plain);
        // An element hands on two values, so a step is two edges; a step of the chain is what the engine schedules.
        double PerStep(Sample s) => s.Elapsed.TotalMicroseconds / (Length - 1);
        var rows = new List<ResultRow>();
        if (settings.Nodes > 0) rows.AddRange(await ClusterRowsAsync(settings, PerStep(e), PerStep(c), cancellationToken));
        rows.AddRange(
        [
            new ResultRow(Name, "pipeline job, in process, per step (2 edges)", $"{Format.Number(PerStep(p), "0.00")} µs")
            {
                Time = Format.Duration(p.Elapsed),
                Ratio = PerStep(p) / PerStep(e),
                Note = $"ratio against the engine's C# task chain; {Format.Number(PerStep(p) / PerStep(c), "N0")}× a plain call; "
                       + $"{Format.Number(p.Elapsed.TotalMicroseconds / Edges, "0.00")} µs per edge; "
                       + $"{Format.Number((double)p.Allocated / (Length - 1), "N0")} B allocated per step; {Spread(pipeline)}; "
                       + $"check and compile before the run {Format.Duration(p.Compile)} ({Format.Number(p.Compile.TotalMicroseconds / Length, "0.0")} µs per element, not counted above)",
            },
            new ResultRow(Name, "engine C# tasks (GetResult), per step", $"{Format.Number(PerStep(e), "0.00")} µs")
            {
                Time = Format.Duration(e.Elapsed),
                Note = $"{Format.Number((double)e.Allocated / (Length - 1), "N0")} B allocated per step; {Spread(engine)}",
            },
            new ResultRow(Name, "plain method call, per step", $"{Format.Number(PerStep(c), "0.000")} µs")
            {
                Time = Format.Duration(c.Elapsed),
                Note = Spread(plain),
            },
        ]);
        return rows;
    }

    /// <summary>
    /// The same chain on a local cluster of --nodes nodes through ClusterExecutor, its steps placed on the nodes in
    /// turn, so that each edge crosses to another node; and, on the same cluster, in alternating rounds, the remote
    /// call of the same payload: <see cref="IBenchStep"/> called once per step, one call at a time. The row says where
    /// the elements ran (the nodes the executor placed them on, or this process).
    /// </summary>
    private async Task<IReadOnlyList<ResultRow>> ClusterRowsAsync(BenchSettings settings, double enginePerStep, double plainPerStep, CancellationToken cancellationToken)
    {
        await using var cluster = await TestCluster.StartAsync(settings.Nodes, b => b.AddService<IBenchStep, BenchStep>(), cancellationToken);
        await using var client = await cluster.ConnectClientAsync(cancellationToken: cancellationToken);
        await using var executor = new ClusterExecutor(client);
        var step = await client.GetServiceAsync<IBenchStep>(cancellationToken);
        var placed = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        executor.Placed += p => placed.AddOrUpdate(p.Node, 1, (_, n) => n + 1);
        BenchElements.Nodes = [.. cluster.Nodes.Select(n => n.Name)];
        try
        {
            var definition = PipelineDiscovery.Find(typeof(BenchElements).Assembly).Single(d => d.Member == nameof(BenchElements.Edge));
            async Task<Sample> PipelineAsync()
            {
                placed.Clear();
                var options = new PipelineRunOptions
                {
                    Run = WithExecutor(EngineHarness.Options(settings, settings.Cores), executor),
                    Definition = definition,
                    Shipment = new AssemblyShipment(typeof(BenchElements).Assembly.Location),
                };
                var start = Measure.Timestamp();
                var result = await PipelineRunner.RunAsync(definition.Build(), options, cancellationToken);
                var elapsed = Measure.Since(start);
                if (!result.Succeeded) throw new InvalidOperationException($"the pipeline failed on the cluster: {result.Elements.First(e => e.Outcome != Outcome.Passed)}");
                return new Sample(elapsed, 0);
            }
            async Task<Sample> CallsAsync()
            {
                var start = Measure.Timestamp();
                var values = new BenchStepValues { Samples = [1, 2, 3], Value = 1 };
                for (var i = 1; i < ClusterLength; i++) values = await step.StepAsync(values.Samples, values.Value);
                var elapsed = Measure.Since(start);
                if (values.Value != ClusterLength || values.Samples.Length != 3) throw new InvalidOperationException("the remote step went wrong");
                return new Sample(elapsed, 0);
            }
            // Warm-up: the shipment reaches the coordinator and the nodes, the proxy and connections are ready.
            await PipelineAsync();
            await CallsAsync();
            var samples = new List<Sample>();
            var calls = new List<Sample>();
            for (var i = 0; i < Math.Max(5, settings.Repetitions); i++)
            {
                Measure.Quiesce();
                samples.Add(await PipelineAsync());
                Measure.Quiesce();
                calls.Add(await CallsAsync());
            }
            var where = placed.IsEmpty
                ? "the executor ran every element in this process (shipped actions do not go to nodes in this build)"
                : $"elements placed on nodes by the executor: {string.Join(", ", placed.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))} (last round)";
            samples.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));
            calls.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));
            var m = Measure.Median(samples);
            var r = Measure.Median(calls);
            var perStep = m.Elapsed.TotalMicroseconds / (ClusterLength - 1);
            var perCall = r.Elapsed.TotalMicroseconds / (ClusterLength - 1);
            // What each element's attempt pays on its node before the element runs: the pipeline built again.
            var builds = new List<TimeSpan>();
            for (var i = 0; i < 21; i++)
            {
                var start = Measure.Timestamp();
                _ = definition.Build();
                builds.Add(Measure.Since(start));
            }
            builds.Sort();
            return
            [
                new ResultRow(Name, $"pipeline of {Format.Count(ClusterLength)} elements on {settings.Nodes} node(s), ClusterExecutor, per step (2 edges, each crossing nodes)", $"{Format.Number(perStep, "0")} µs")
                {
                    Time = Format.Duration(m.Elapsed),
                    Ratio = perStep / perCall,
                    Note = $"{where}; {Format.Number(perStep / 2, "0")} µs per edge; ratio against the remote call of the same payload below; "
                           + $"{Format.Number(perStep / plainPerStep, "N0")}× a plain call, {Format.Number(perStep / enginePerStep, "N0")}× the engine's C# task chain in process; "
                           + $"check and compile included; of which the node's build of the whole pipeline per element {Format.Number(builds[builds.Count / 2].TotalMicroseconds, "0")} µs (median of {builds.Count} here); {Spread(samples)}",
                },
                new ResultRow(Name, $"remote call of the same payload (IBenchStep.StepAsync: double[3] and double in and out), one at a time", $"{Format.Number(perCall, "0")} µs")
                {
                    Time = Format.Duration(r.Elapsed),
                    Note = $"{Format.Number(perCall / plainPerStep, "N0")}× a plain call; {Format.Number(ClusterLength - 1, "N0")} calls a round, alternating with the pipeline's rounds; {Spread(calls)}",
                },
            ];
        }
        finally
        {
            BenchElements.Nodes = [];
        }
    }

    private static RunOptions WithExecutor(RunOptions run, ITaskExecutor executor) => new()
    {
        Workers = run.Workers,
        StateDirectory = run.StateDirectory,
        Executor = executor,
    };

    private static string Spread(List<Sample> sorted) => $"median of {sorted.Count} ({Format.Duration(sorted[0].Elapsed)}–{Format.Duration(sorted[^1].Elapsed)})";

    /// <summary>Checks and compiles the chain (timed apart), then runs the job as the engine runs any: the run is what an edge costs.</summary>
    private static async Task<Sample> PipelineOnceAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var pipeline = BenchElements.Chains("edge", 1, Length);
        var start = Measure.Timestamp();
        var job = PipelineCompiler.Compile(pipeline, new PipelineRunOptions { Run = EngineHarness.Options(settings, settings.Cores) });
        var compiled = Measure.Since(start);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var sample = await EngineHarness.RunAsync(job, EngineHarness.Options(settings, settings.Cores), cancellationToken: cancellationToken);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        if (((PipelineElementAction)job.Tasks[^1].Action).Element is not BenchElements.Step { Next: Length })
            throw new InvalidOperationException("the benchmark pipeline did not hand its values on");
        return new Sample(sample.Elapsed, allocated) { Compile = compiled };
    }

    /// <summary>The same chain as engine tasks: each reads the one before's value and returns its own.</summary>
    private static Job EngineChain()
    {
        var job = new Job("edge-engine");
        for (var i = 0; i < Length; i++)
        {
            var previous = i == 0 ? null : EngineHarness.TaskId(i - 1);
            job.Add(new TaskSpec
            {
                Id = EngineHarness.TaskId(i),
                Needs = previous is null ? [] : [previous],
                Action = new DelegateAction((context, _) =>
                {
                    if (previous is null) return ValueTask.FromResult<object?>(new Values([1, 2, 3], 1));
                    var before = context.GetResult<Values>(previous);
                    return ValueTask.FromResult<object?>(new Values(before.Samples, before.Value + 1));
                }),
            });
        }
        return job;
    }

    private sealed record Values(double[] Samples, double Value);

    private static async Task<Sample> EngineOnceAsync(Job job, BenchSettings settings, CancellationToken cancellationToken)
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var sample = await EngineHarness.RunAsync(job, EngineHarness.Options(settings, settings.Cores), cancellationToken: cancellationToken);
        return new Sample(sample.Elapsed, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }

    /// <summary>The same steps as plain calls of a method that takes and returns the values.</summary>
    private static Sample PlainOnce()
    {
        const int Rounds = 1_000;
        var start = Measure.Timestamp();
        double total = 0;
        for (var r = 0; r < Rounds; r++)
        {
            var values = new Values([1, 2, 3], 1);
            for (var i = 1; i < Length; i++) values = Step(values);
            total += values.Value;
        }
        var elapsed = Measure.Since(start) / Rounds;
        if (total != (double)Length * Rounds) throw new InvalidOperationException("the plain chain went wrong");
        return new Sample(elapsed, 0);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static Values Step(Values before) => new(before.Samples, before.Value + 1);

    private sealed record Sample(TimeSpan Elapsed, long Allocated) : ISample
    {
        public TimeSpan Compile { get; init; }
    }
}
