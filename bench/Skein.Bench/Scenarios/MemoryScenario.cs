using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Skein.Bench.Reporting;
using Skein.Engine;

namespace Skein.Bench.Scenarios;

/// <summary>
/// Memory of a 100,000-task run, measured in a fresh child process so that the peak belongs to that run alone:
/// the kernel's peak resident set (VmHWM) and the GC heap, sampled while the run goes. A child that runs nothing
/// gives the runtime's own share.
/// </summary>
internal sealed class MemoryScenario : Scenario
{
    public const int TaskCount = 100_000;
    public const string ChildFlag = "--memory-child";

    public override string Name => "memory";

    public override string Description => $"peak working set and GC heap of a {Format.Count(TaskCount)}-task run (child process)";

    public override async Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        // The idle child is the warm-up too: it pulls the binaries into the page cache.
        var idle = await RunChildAsync(0, settings, cancellationToken);
        var runs = new List<MemoryReport>();
        for (var i = 0; i < Math.Min(settings.Repetitions, 3); i++) runs.Add(await RunChildAsync(TaskCount, settings, cancellationToken));
        runs.Sort(static (a, b) => a.PeakWorkingSet.CompareTo(b.PeakWorkingSet));
        var run = runs[runs.Count / 2];

        var added = run.PeakWorkingSet - idle.PeakWorkingSet;
        return
        [
            new ResultRow(Name, $"peak working set, {Format.Count(TaskCount)} tasks", Format.Bytes(run.PeakWorkingSet))
            {
                Note = $"median of {runs.Count} child processes; runtime alone {Format.Bytes(idle.PeakWorkingSet)}, "
                       + $"so ≈ {Format.Number((double)added / TaskCount, "0")} B per task for definition and run",
            },
            new ResultRow(Name, "peak GC heap while running", Format.Bytes(run.PeakHeap))
            {
                Note = "GC.GetTotalMemory sampled every millisecond (garbage not yet collected included)",
            },
            new ResultRow(Name, "job definition, live after building", Format.Bytes(run.JobHeap))
            {
                Note = $"{Format.Number((double)run.JobHeap / TaskCount, "0")} B per TaskSpec with its id and delegate",
            },
            new ResultRow(Name, "allocated by the run", Format.Bytes(run.RunAllocated))
            {
                Note = $"{Format.Number((double)run.RunAllocated / TaskCount, "0")} B per task, validation to last result read",
            },
            new ResultRow(Name, "held by the finished run", Format.Bytes(run.RunRetained))
            {
                Note = $"{Format.Number((double)run.RunRetained / TaskCount, "0")} B per task (its node and result) while the run object is alive",
            },
        ];
    }

    private static async Task<MemoryReport> RunChildAsync(int tasks, BenchSettings settings, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        // Under `dotnet Skein.Bench.dll` the process is the dotnet host, which needs the assembly to run.
        if (string.Equals(Path.GetFileNameWithoutExtension(Environment.ProcessPath), "dotnet", StringComparison.Ordinal))
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        start.ArgumentList.Add(ChildFlag);
        start.ArgumentList.Add(tasks.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(settings.StateDirectory);
        using var child = Process.Start(start)!;
        var output = await child.StandardOutput.ReadToEndAsync(cancellationToken);
        await child.WaitForExitAsync(cancellationToken);
        if (child.ExitCode != 0) throw new InvalidOperationException($"The memory child exited with {child.ExitCode}: {output}");
        return MemoryReport.Parse(output);
    }

    /// <summary>The child's side: build the job, run it while sampling, report one line.</summary>
    public static async Task<int> RunAsChildAsync(int tasks, string stateDirectory)
    {
        var settings = new BenchSettings { StateDirectory = stateDirectory };
        using var sampler = new HeapSampler();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var job = EngineHarness.IndependentJob("memory", tasks);
        var heapWithJob = GC.GetTotalMemory(forceFullCollection: true);
        long allocated = 0, retained = 0;
        if (tasks > 0)
        {
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            await using (var run = await JobRun.StartAsync(job, EngineHarness.Options(settings, settings.Cores)))
            {
                var count = 0;
                await foreach (var e in run.ReadEventsAsync())
                {
                    if (e is not TaskFinished finished) continue;
                    if (finished.Result.Outcome != Outcome.Passed) throw new InvalidOperationException($"Benchmark task {finished.Result} did not pass.");
                    count++;
                }
                await run.Completion;
                if (count != tasks) throw new InvalidOperationException($"The run reported {count} results for {tasks} tasks.");
                allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                // What a finished run still holds (every task's node and result) while its owner keeps it.
                retained = GC.GetTotalMemory(forceFullCollection: true) - heapWithJob;
            }
        }
        GC.KeepAlive(job);
        var peakHeap = sampler.Stop();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        Console.WriteLine(new MemoryReport(self.PeakWorkingSet64, peakHeap, heapWithJob - heapBefore, allocated, retained).ToLine());
        return 0;
    }

    private sealed record MemoryReport(long PeakWorkingSet, long PeakHeap, long JobHeap, long RunAllocated, long RunRetained)
    {
        public string ToLine() => string.Create(CultureInfo.InvariantCulture, $"{PeakWorkingSet} {PeakHeap} {JobHeap} {RunAllocated} {RunRetained}");

        public static MemoryReport Parse(string line)
        {
            var parts = line.Trim().Split(' ');
            if (parts.Length != 5) throw new FormatException($"Unexpected memory child output: {line}");
            var values = Array.ConvertAll(parts, part => long.Parse(part, CultureInfo.InvariantCulture));
            return new MemoryReport(values[0], values[1], values[2], values[3], values[4]);
        }
    }

    /// <summary>Samples the GC heap on its own thread so the peak is seen even between collections.</summary>
    internal sealed class HeapSampler : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _peak;

        public HeapSampler()
        {
            _thread = new Thread(Sample) { IsBackground = true, Name = "heap sampler" };
            _thread.Start();
        }

        public long Stop()
        {
            _stop = true;
            _thread.Join();
            return Math.Max(_peak, GC.GetTotalMemory(forceFullCollection: false));
        }

        private void Sample()
        {
            while (!_stop)
            {
                _peak = Math.Max(_peak, GC.GetTotalMemory(forceFullCollection: false));
                Thread.Sleep(1);
            }
        }

        public void Dispose()
        {
            if (!_stop) Stop();
        }
    }
}
