using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Skein.Bench.Reporting;
using Skein.Cluster;
using Skein.Cluster.Execution;
using Skein.Engine;
using Skein.Testing;
using Skein.Cluster.Client;

namespace Skein.Bench.Scenarios;

/// <summary>The no-op service the cluster's <c>call:</c> tasks call: scheduling and dispatch are all that is measured.</summary>
[Service("bench-noop")]
public interface IBenchNoop
{
    Task<int> NoopAsync();
}

/// <summary>Answers at once.</summary>
public sealed class BenchNoop : IBenchNoop
{
    public Task<int> NoopAsync() => Task.FromResult(0);
}

/// <summary>
/// Jobs on a local cluster of two nodes: a <see cref="TestCluster"/> in this process (a coordinator and two nodes, each in
/// its own generic host, talking real gRPC over loopback), the run driven by <see cref="JobRunner"/> with a
/// <see cref="ClusterExecutor"/> over a client of that cluster. Commands are placed through the coordinator's ledger and
/// run by the nodes' task runners; <c>call:</c> tasks call the no-op service the nodes host. Dask's LocalCluster runs
/// the same no-op and chain workloads in the same scenario, when <c>distributed</c> imports.
/// </summary>
internal sealed class ClusterJobsScenario : Scenario
{
    public const int CallCount = 20_000;
    public const int ChainLength = 1_000;
    public const int CommandCount = 2_000;
    public const int MemoryTasks = 100_000;
    public const double CallGoal = 20_000;
    public const double HopGoalMs = 1.0;
    public const double CommandRatioGoal = 0.8;

    /// <summary>How many call tasks are in flight at once (RunOptions.Workers): a call waits on the network, not a core.</summary>
    public const int CallWorkers = 64;

    public override string Name => "cluster-jobs";

    public override string Description =>
        $"2-node cluster: {Format.Count(CallCount)} no-op calls, {Format.Count(ChainLength)}-task chains, {Format.Count(CommandCount)} `true` commands, "
        + $"memory of a {Format.Count(MemoryTasks)}-task run, Dask side by side";

    public override async Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var repetitions = Math.Min(settings.Repetitions, 3);
        var rows = new List<ResultRow>();
        // Each workload gets a fresh cluster, so none inherits the connections and state the one before left.
        var cluster = await LocalCluster.StartAsync(cancellationToken);
        var client = cluster.Client;
        var nodes = cluster.NodeNames;

        RunOptions InProcess(int workers) => EngineHarness.Options(settings, workers);
        RunOptions Cluster(int workers) => new()
        {
            Workers = workers,
            Executor = cluster.Executor,
            StateDirectory = Path.Combine(settings.StateDirectory, Guid.NewGuid().ToString("N")),
        };

        try
        {
            // 1. Independent no-op calls, against the same calls made straight through the client by as many callers.
            var calls = CallJob("calls", CallCount);
            await Measure.WarmUpAsync(() => EngineHarness.RunAsync(CallJob("warm", 2_000), Cluster(CallWorkers), cancellationToken: cancellationToken));
            await RawCallsAsync(client, 2_000, cancellationToken);
            // The same calls made by C# delegates in the in-process engine: the engine and the call without the executor's share.
            var delegateCalls = DelegateCallJob(client, CallCount);
            await EngineHarness.RunAsync(DelegateCallJob(client, 2_000), InProcess(CallWorkers), cancellationToken: cancellationToken);
            var callSamples = new List<EngineSample>();
            var delegateSamples = new List<EngineSample>();
            var rawSamples = new List<RawSample>();
            for (var i = 0; i < repetitions; i++)
            {
                Measure.Quiesce();
                callSamples.Add(await EngineHarness.RunAsync(calls, Cluster(CallWorkers), cancellationToken: cancellationToken));
                Measure.Quiesce();
                delegateSamples.Add(await EngineHarness.RunAsync(delegateCalls, InProcess(CallWorkers), cancellationToken: cancellationToken));
                Measure.Quiesce();
                rawSamples.Add(await RawCallsAsync(client, CallCount, cancellationToken));
            }
            Sort(callSamples);
            Sort(rawSamples);
            Sort(delegateSamples);
            var delegateRate = CallCount / Measure.Median(delegateSamples).Elapsed.TotalSeconds;
            var callRate = CallCount / Measure.Median(callSamples).Elapsed.TotalSeconds;
            var rawRate = CallCount / Measure.Median(rawSamples).Elapsed.TotalSeconds;
            rows.Add(new ResultRow(Name, $"{Format.Count(CallCount)} no-op `call:` tasks, JobRunner + ClusterExecutor, {CallWorkers} workers", Format.Rate(callRate))
            {
                Time = Format.Duration(Measure.Median(callSamples).Elapsed),
                Goal = $"≥ {Format.Count((long)CallGoal)} tasks/s",
                Met = callRate >= CallGoal,
                Note = $"{Measure.Spread(callSamples, CallCount)}; {Format.Number((double)Measure.Median(callSamples).AllocatedBytes / CallCount, "0")} B allocated per task (whole process)",
            });
            rows.Add(new ResultRow(Name, $"same calls from C# delegate tasks, in-process engine, {CallWorkers} workers", Format.Rate(delegateRate))
            {
                Time = Format.Duration(Measure.Median(delegateSamples).Elapsed),
                Ratio = callRate / delegateRate,
                Note = $"{Measure.Spread(delegateSamples, CallCount)}; {Format.Number((double)Measure.Median(delegateSamples).AllocatedBytes / CallCount, "0")} B allocated per task; no ClusterExecutor (no output); ratio is the `call:` job ÷ this",
            });
            rows.Add(new ResultRow(Name, $"same calls straight through SkeinClient.CallJsonAsync, {CallWorkers} callers", Format.Rate(rawRate))
            {
                Time = Format.Duration(Measure.Median(rawSamples).Elapsed),
                Ratio = callRate / rawRate,
                Note = $"{Measure.Spread(rawSamples, CallCount)}; {Format.Number((double)Measure.Median(rawSamples).AllocatedBytes / CallCount, "0")} B allocated per call; the floor the transport sets; ratio is the job ÷ this",
            });

            await cluster.DisposeAsync();
            cluster = await LocalCluster.StartAsync(cancellationToken);
            client = cluster.Client;
            nodes = cluster.NodeNames;

            // 2. Chains: each task needs the one before. Commands alternate nodes by placement; calls go where the client routes them.
            var commandChain = ChainJob("command-chain", ChainLength, i => new CommandAction("true"), nodes);
            var callChain = ChainJob("call-chain", ChainLength, _ => NoopCall(), placeOn: null);
            await EngineHarness.RunAsync(ChainJob("warm-chain", 200, _ => new CommandAction("true"), nodes), Cluster(2), cancellationToken: cancellationToken);
            await Measure.WarmUpAsync(() => EngineHarness.RunAsync(callChain, Cluster(2), cancellationToken: cancellationToken));
            var commandChainSamples = new List<EngineSample>();
            var callChainSamples = new List<EngineSample>();
            var localChainSamples = new List<EngineSample>();
            var localChain = ChainJob("local-chain", ChainLength, _ => new CommandAction("true"), placeOn: null);
            for (var i = 0; i < repetitions; i++)
            {
                Measure.Quiesce();
                commandChainSamples.Add(await EngineHarness.RunAsync(commandChain, Cluster(2), cancellationToken: cancellationToken));
                Measure.Quiesce();
                callChainSamples.Add(await EngineHarness.RunAsync(callChain, Cluster(2), cancellationToken: cancellationToken));
                Measure.Quiesce();
                localChainSamples.Add(await EngineHarness.RunAsync(localChain, InProcess(2), cancellationToken: cancellationToken));
            }
            Sort(commandChainSamples);
            Sort(callChainSamples);
            Sort(localChainSamples);
            var commandHop = Hop(commandChainSamples);
            var callHop = Hop(callChainSamples);
            var localHop = Hop(localChainSamples);
            rows.Add(new ResultRow(Name, $"chain of {Format.Count(ChainLength)} `true` commands alternating {nodes[0]}/{nodes[1]}: per hop", Format.Number(commandHop, "0.000") + " ms")
            {
                Time = Format.Duration(Measure.Median(commandChainSamples).Elapsed),
                Goal = $"< {Format.Number(HopGoalMs, "0")} ms",
                Met = commandHop < HopGoalMs,
                Note = $"{HopSpread(commandChainSamples)}; `on: {{ node }}` alternating; includes starting `bash -c true` on the node",
            });
            rows.Add(new ResultRow(Name, $"chain of {Format.Count(ChainLength)} no-op `call:` tasks: per hop", Format.Number(callHop, "0.000") + " ms")
            {
                Time = Format.Duration(Measure.Median(callChainSamples).Elapsed),
                Goal = $"< {Format.Number(HopGoalMs, "0")} ms",
                Met = callHop < HopGoalMs,
                Note = $"{HopSpread(callChainSamples)}; calls are routed by the client (placement applies to commands only)",
            });
            rows.Add(new ResultRow(Name, $"chain of {Format.Count(ChainLength)} `true` commands, in-process engine: per hop", Format.Number(localHop, "0.000") + " ms")
            {
                Time = Format.Duration(Measure.Median(localChainSamples).Elapsed),
                Ratio = localHop / commandHop,
                Note = $"{HopSpread(localChainSamples)}; the floor a command sets; ratio is this ÷ the cluster's command hop",
            });

            await cluster.DisposeAsync();
            cluster = await LocalCluster.StartAsync(cancellationToken);
            nodes = cluster.NodeNames;

            // 3. Commands spread over both nodes against the in-process engine on the same job, alternating repetitions.
            var commands = EngineHarness.CommandJob(CommandCount, "true");
            await EngineHarness.RunAsync(commands, Cluster(2), cancellationToken: cancellationToken);
            await EngineHarness.RunAsync(commands, InProcess(2), cancellationToken: cancellationToken);
            var clusterCommands = new List<EngineSample>();
            var localCommands = new List<EngineSample>();
            for (var i = 0; i < repetitions; i++)
            {
                Measure.Quiesce();
                clusterCommands.Add(await EngineHarness.RunAsync(commands, Cluster(2), cancellationToken: cancellationToken));
                Measure.Quiesce();
                localCommands.Add(await EngineHarness.RunAsync(commands, InProcess(2), cancellationToken: cancellationToken));
            }
            Sort(clusterCommands);
            Sort(localCommands);
            var clusterCommandRate = CommandCount / Measure.Median(clusterCommands).Elapsed.TotalSeconds;
            var localCommandRate = CommandCount / Measure.Median(localCommands).Elapsed.TotalSeconds;
            var commandRatio = clusterCommandRate / localCommandRate;
            rows.Add(new ResultRow(Name, $"{Format.Count(CommandCount)} `true` commands on 2 nodes (1 slot each), 2 workers", Format.Rate(clusterCommandRate))
            {
                Time = Format.Duration(Measure.Median(clusterCommands).Elapsed),
                Note = Measure.Spread(clusterCommands, CommandCount),
            });
            rows.Add(new ResultRow(Name, $"same job, in-process engine, 2 workers", Format.Rate(localCommandRate))
            {
                Time = Format.Duration(Measure.Median(localCommands).Elapsed),
                Ratio = commandRatio,
                Goal = $"ratio ≥ {Format.Ratio(CommandRatioGoal)}",
                Met = commandRatio >= CommandRatioGoal,
                Note = $"{Measure.Spread(localCommands, CommandCount)}; ratio is cluster ÷ in-process",
            });

            await cluster.DisposeAsync();
            cluster = await LocalCluster.StartAsync(cancellationToken);

            // 4. Memory of the process that runs the job (here also the coordinator and both nodes) during a 100,000-task run.
            rows.AddRange(await MemoryAsync(Cluster(CallWorkers), cancellationToken));

            // 5. Dask's LocalCluster on the same workloads, now, on the same machine.
            rows.AddRange(await DaskAsync(callRate, callHop, cancellationToken));

            // 6. A 100 MiB artifact from a task on one node to a task on the other, against cp (its own cluster).
            await cluster.DisposeAsync();
            rows.AddRange(await ArtifactTransfer.MeasureAsync(Name, settings, cancellationToken));
            return rows;
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private static Job DelegateCallJob(SkeinClient client, int count)
    {
        var arguments = "[]"u8.ToArray();
        var job = new Job("delegate-calls");
        for (var i = 0; i < count; i++)
        {
            job.Add(new TaskSpec
            {
                Id = EngineHarness.TaskId(i),
                Action = new DelegateAction(async (_, ct) =>
                {
                    ReadOnlyMemory<byte> last = default;
                    await foreach (var item in client.CallJsonAsync("bench-noop", "Noop", arguments, ct).ConfigureAwait(false)) last = item;
                    return last.Length;
                }),
            });
        }
        return job;
    }

    private static ServiceCallAction NoopCall() => new("bench-noop", "Noop");

    private static Job CallJob(string name, int count)
    {
        var job = new Job(name);
        for (var i = 0; i < count; i++) job.Add(new TaskSpec { Id = EngineHarness.TaskId(i), Action = NoopCall() });
        return job;
    }

    /// <summary>t0 ← t1 ← …; with <paramref name="placeOn"/>, task i must run on node i mod n.</summary>
    private static Job ChainJob(string name, int count, Func<int, ITaskAction> action, string[]? placeOn)
    {
        var job = new Job(name);
        for (var i = 0; i < count; i++)
        {
            job.Add(new TaskSpec
            {
                Id = EngineHarness.TaskId(i),
                Action = action(i),
                Needs = i == 0 ? [] : [EngineHarness.TaskId(i - 1)],
                Placement = placeOn is null ? null : new TaskPlacement { Node = placeOn[i % placeOn.Length] },
            });
        }
        return job;
    }

    private static double Hop(List<EngineSample> sorted) => Measure.Median(sorted).Elapsed.TotalMilliseconds / ChainLength;

    private static string HopSpread(List<EngineSample> sorted) => sorted.Count == 1
        ? "1 run"
        : $"median of {sorted.Count} ({Format.Number(sorted[0].Elapsed.TotalMilliseconds / ChainLength, "0.000")}–{Format.Number(sorted[^1].Elapsed.TotalMilliseconds / ChainLength, "0.000")} ms)";

    private static void Sort<T>(List<T> samples) where T : ISample => samples.Sort(static (a, b) => a.Elapsed.CompareTo(b.Elapsed));

    private static async Task<RawSample> RawCallsAsync(SkeinClient client, int count, CancellationToken cancellationToken)
    {
        var next = -1;
        var arguments = "[]"u8.ToArray();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var start = Measure.Timestamp();
        var callers = new Task[CallWorkers];
        for (var c = 0; c < callers.Length; c++)
        {
            callers[c] = Task.Run(async () =>
            {
                while (Interlocked.Increment(ref next) < count)
                    await foreach (var _ in client.CallJsonAsync("bench-noop", "Noop", arguments, cancellationToken).ConfigureAwait(false)) { }
            }, cancellationToken);
        }
        await Task.WhenAll(callers);
        var elapsed = Measure.Since(start);
        return new RawSample(elapsed, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
    }

    private async Task<IReadOnlyList<ResultRow>> MemoryAsync(RunOptions options, CancellationToken cancellationToken)
    {
        var job = CallJob("memory", MemoryTasks);
        Measure.Quiesce();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var rssBefore = ProcStatus("VmRSS");
        // Writing 5 to clear_refs resets the peak resident set (VmHWM) to the current one, so the peak is this run's.
        var peakReset = TryResetPeak();
        using var sampler = new MemoryScenario.HeapSampler();
        var sample = await EngineHarness.RunAsync(job, options, cancellationToken: cancellationToken);
        var peakHeap = sampler.Stop();
        var peakRss = ProcStatus("VmHWM");
        GC.KeepAlive(job);
        return
        [
            new ResultRow(Name, $"{Format.Count(MemoryTasks)} no-op `call:` tasks: peak GC heap", Format.Bytes(peakHeap))
            {
                Time = Format.Duration(sample.Elapsed),
                Note = $"GC.GetTotalMemory sampled every ms; {Format.Bytes(heapBefore)} live before the run (job definition and idle cluster), "
                       + $"{Format.Rate(MemoryTasks / sample.Elapsed.TotalSeconds)}, {Format.Number((double)sample.AllocatedBytes / MemoryTasks, "0")} B allocated per task",
            },
            new ResultRow(Name, $"{Format.Count(MemoryTasks)} no-op `call:` tasks: peak working set", peakReset ? Format.Bytes(peakRss) : "—")
            {
                Note = peakReset
                    ? $"VmHWM of the bench process, which holds the engine, the executor, the coordinator and both nodes; {Format.Bytes(rssBefore)} resident before the run"
                    : "could not reset VmHWM (/proc/self/clear_refs), so the process's peak would not be this run's",
            },
        ];
    }

    private static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A size field of /proc/self/status in bytes (0 where there is none).</summary>
    private static long ProcStatus(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
            var parts = line[(field.Length + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }

    private async Task<IReadOnlyList<ResultRow>> DaskAsync(double skeinCallRate, double skeinCallHop, CancellationToken cancellationToken)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "dask_bench.py");
        var python = await PythonWithDaskAsync(cancellationToken);
        string? installed = null;
        if (python is null)
        {
            // The issue's bench installs Debian's package when it is missing; without apt-get or root this fails and says so.
            installed = await InstallDaskAsync(cancellationToken);
            python = await PythonWithDaskAsync(cancellationToken);
        }
        if (python is null)
            return [new ResultRow(Name, "Dask LocalCluster, 2 workers", "not measured")
            {
                Note = $"no python3 on PATH nor /usr/bin/python3 imports `distributed`; `apt-get install python3-distributed`: {installed}",
            }];
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("--tasks");
        start.ArgumentList.Add(CallCount.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--chain");
        start.ArgumentList.Add(ChainLength.ToString(CultureInfo.InvariantCulture));
        string output, errors;
        int exitCode;
        try
        {
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
            errors = await stderr;
            await process.WaitForExitAsync(cancellationToken);
            exitCode = process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return [new ResultRow(Name, "Dask LocalCluster", "not measured") { Note = $"python3 could not start: {ex.Message}" }];
        }
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        if (exitCode != 0 || !last.StartsWith('{'))
        {
            var reason = $"dask_bench.py exited with {exitCode}: {errors.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()}";
            return [new ResultRow(Name, "Dask LocalCluster, 2 workers", "not measured") { Note = reason }];
        }
        using var report = JsonDocument.Parse(last);
        var root = report.RootElement;
        var tasks = root.GetProperty("tasks").GetInt32();
        var daskRate = root.GetProperty("tasks_per_s").GetDouble();
        var daskHop = root.GetProperty("hop_ms").GetDouble();
        var version = root.GetProperty("version").GetString();
        return
        [
            new ResultRow(Name, $"Dask {version} LocalCluster(2 workers, {python}): {Format.Count(tasks)} no-op tasks", Format.Rate(daskRate))
            {
                Ratio = skeinCallRate / daskRate,
                Note = $"{root.GetProperty("spread").GetString()}; ratio is Skein's no-op calls ÷ Dask",
            },
            new ResultRow(Name, $"Dask {version} LocalCluster(2 workers): chain of {Format.Count(ChainLength)}, per hop", Format.Number(daskHop, "0.000") + " ms")
            {
                Ratio = daskHop / skeinCallHop,
                Note = "ratio is Dask's hop ÷ Skein's call hop (above 1: Skein is faster)",
            },
        ];
    }

    /// <summary>
    /// The first of <c>python3</c> on PATH and Debian's <c>/usr/bin/python3</c> that imports <c>distributed</c>:
    /// python3-distributed installs into the system interpreter, which another python3 on PATH may shadow.
    /// </summary>
    private static async Task<string?> PythonWithDaskAsync(CancellationToken cancellationToken)
    {
        foreach (var candidate in new[] { "python3", "/usr/bin/python3" })
        {
            var start = new ProcessStartInfo(candidate) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("import distributed");
            try
            {
                using var process = Process.Start(start)!;
                var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(cancellationToken), process.StandardError.ReadToEndAsync(cancellationToken));
                await process.WaitForExitAsync(cancellationToken);
                await drain;
                if (process.ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not there: try the next.
            }
        }
        return null;
    }

    /// <summary>A coordinator and two nodes hosting the no-op service, in this process, with a client and an executor.</summary>
    private sealed class LocalCluster : IAsyncDisposable
    {
        private readonly TestCluster _cluster;
        private int _disposed;

        private LocalCluster(TestCluster cluster, SkeinClient client)
        {
            _cluster = cluster;
            Client = client;
            Executor = new ClusterExecutor(client);
            NodeNames = [.. cluster.Nodes.Select(n => n.Name)];
        }

        public SkeinClient Client { get; }

        public ClusterExecutor Executor { get; }

        public string[] NodeNames { get; }

        public static async Task<LocalCluster> StartAsync(CancellationToken cancellationToken)
        {
            var cluster = await new TestClusterBuilder()
                .WithNodes(2)
                // One slot each: two workers' commands spread over both nodes, one per node.
                .ConfigureNode((_, options) => options.Slots = 1)
                .AddService<IBenchNoop, BenchNoop>()
                .StartAsync(cancellationToken);
            try
            {
                return new LocalCluster(cluster, await cluster.ConnectClientAsync(cancellationToken: cancellationToken));
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            await Executor.DisposeAsync();
            await Client.DisposeAsync();
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>Runs <c>apt-get install -y -qq python3-distributed</c>; returns how it ended, for the report.</summary>
    private static async Task<string> InstallDaskAsync(CancellationToken cancellationToken)
    {
        Console.Error.Write("installing python3-distributed … ");
        var start = new ProcessStartInfo("apt-get") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "install", "-y", "-qq", "python3-distributed" }) start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = await process.StandardError.ReadToEndAsync(cancellationToken);
            await stdout;
            await process.WaitForExitAsync(cancellationToken);
            var last = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
            return process.ExitCode == 0 ? "installed" : $"exit {process.ExitCode}: {last}";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"could not start: {ex.Message}";
        }
    }

    /// <param name="AllocatedBytes">Bytes allocated by the whole process while the calls went.</param>
    private sealed record RawSample(TimeSpan Elapsed, long AllocatedBytes) : ISample;
}
