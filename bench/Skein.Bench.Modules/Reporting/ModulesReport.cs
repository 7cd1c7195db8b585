using System.Globalization;
using Skein.Bench.Modules.Workload;
using Skein.Bench.Reporting;

namespace Skein.Bench.Modules.Reporting;

/// <summary>The console report, and with --markdown the tables for bench/RESULTS.md.</summary>
internal static class ModulesReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(TextWriter output, ModulesResult result, BenchFiles files, BenchOptions options)
    {
        output.WriteLine($"load and unload through the node's module control, {result.AssemblyLoad.Count} rounds after {options.WarmUpRounds} of warm-up (ms):");
        output.WriteLine($"  {"module",-30} {"load p50",9} {"p90",7} {"min",7} {"max",7}   {"unload p50",10} {"p90",7} {"min",7} {"max",7}");
        Row("assembly " + Path.GetFileName(files.Assembly), result.AssemblyLoad, result.AssemblyUnload);
        Row("process " + Path.GetFileName(files.PythonModule), result.ProcessLoad, result.ProcessUnload);
        output.WriteLine(
            $"  process ÷ assembly: load {Ratio(result.ProcessLoad.Median, result.AssemblyLoad.Median)} (median), {Ratio(result.ProcessLoad.P90, result.AssemblyLoad.P90)} (p90); " +
            $"unload {Ratio(result.ProcessUnload.Median, result.AssemblyUnload.Median)} (median), {Ratio(result.ProcessUnload.P90, result.AssemblyUnload.P90)} (p90)");
        output.WriteLine();
        output.WriteLine($"node memory (/proc/PID/status), {options.Modules} copies of {Path.GetFileName(files.Assembly)}, each its own load context, each called once:");
        Memory("start (after warm-up, settled)", result.Start, null);
        for (var c = 0; c < result.Cycles.Count; c++)
        {
            var (loaded, unloaded) = result.Cycles[c];
            Memory($"cycle {c + 1}: {options.Modules} modules loaded", loaded, result.Start);
            Memory($"cycle {c + 1}: all unloaded, settled", unloaded, result.Start);
        }
        if (result.Cycles.Count > 0)
            output.WriteLine($"  per module loaded (cycle 1): {Format.Bytes((result.Cycles[0].Loaded.Rss - result.Start.Rss) / (double)Math.Max(1, options.Modules))} RSS");
        output.WriteLine();
        output.WriteLine($"load at the end: {result.LoadAverageAtEnd}");

        void Row(string name, Samples load, Samples unload) => output.WriteLine(
            $"  {name,-30} {Ms(load.Median),9} {Ms(load.P90),7} {Ms(load.Min),7} {Ms(load.Max),7}   {Ms(unload.Median),10} {Ms(unload.P90),7} {Ms(unload.Min),7} {Ms(unload.Max),7}");

        void Memory(string label, NodeMemory memory, NodeMemory? start) => output.WriteLine(
            $"  {label,-34} RSS {Format.Bytes(memory.Rss),9} (anonymous {Format.Bytes(memory.RssAnon)}, files {Format.Bytes(memory.RssFile)}, " +
            $"shared {Format.Bytes(memory.RssShmem)}; module files mapped: {memory.MappedModules})" +
            (start is { } s ? $"   {Delta(memory.Rss - s.Rss)} from the start" : ""));
    }

    public static void WriteMarkdown(TextWriter output, ModulesResult result, BenchOptions options)
    {
        output.WriteLine();
        output.WriteLine($"| module | load, median | load, p90 | unload, median | unload, p90 | load min–max | unload min–max |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        Row("assembly (`Skein.Examples.Services.dll`, 3 services)", result.AssemblyLoad, result.AssemblyUnload);
        Row("process (`examples/modules/stats/stats.py`, Python)", result.ProcessLoad, result.ProcessUnload);
        output.WriteLine(
            $"| process ÷ assembly | {Ratio(result.ProcessLoad.Median, result.AssemblyLoad.Median)} | {Ratio(result.ProcessLoad.P90, result.AssemblyLoad.P90)} | " +
            $"{Ratio(result.ProcessUnload.Median, result.AssemblyUnload.Median)} | {Ratio(result.ProcessUnload.P90, result.AssemblyUnload.P90)} | | |");
        output.WriteLine();
        output.WriteLine("| node | VmRSS | change from the start | anonymous | shared (code) | module files mapped |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        Memory($"start (after warm-up, settled {Seconds(options.Settle)})", result.Start, "");
        for (var c = 0; c < result.Cycles.Count; c++)
        {
            var (loaded, unloaded) = result.Cycles[c];
            var cycle = result.Cycles.Count > 1 ? $"cycle {c + 1}: " : "";
            Memory($"{cycle}{options.Modules} assembly modules loaded, each called once", loaded,
                $"{Delta(loaded.Rss - result.Start.Rss)} ({Format.Bytes((loaded.Rss - result.Start.Rss) / (double)Math.Max(1, options.Modules))} per module)");
            Memory($"{cycle}all {options.Modules} unloaded, settled {Seconds(options.Settle)}", unloaded, Delta(unloaded.Rss - result.Start.Rss));
        }

        void Memory(string label, NodeMemory memory, string change) => output.WriteLine(
            $"| {label} | {Format.Bytes(memory.Rss)} | {change} | {Format.Bytes(memory.RssAnon)} | {Format.Bytes(memory.RssShmem)} | {memory.MappedModules} |");

        void Row(string name, Samples load, Samples unload) => output.WriteLine(
            $"| {name} | {Ms(load.Median)} ms | {Ms(load.P90)} ms | {Ms(unload.Median)} ms | {Ms(unload.P90)} ms | {Ms(load.Min)}–{Ms(load.Max)} ms | {Ms(unload.Min)}–{Ms(unload.Max)} ms |");
    }

    private static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString(time.TotalMilliseconds >= 100 ? "N0" : "0.0", Invariant);

    private static string Ratio(TimeSpan a, TimeSpan b) => b > TimeSpan.Zero ? (a / b).ToString("0.0", Invariant) + "×" : "—";

    private static string Delta(long bytes) => (bytes >= 0 ? "+" : "−") + Format.Bytes(Math.Abs(bytes));

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.#", Invariant) + " s";
}
