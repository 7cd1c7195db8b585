using System.Globalization;
using System.Runtime.InteropServices;
using Skein;
using Skein.Bench.Modules;
using Skein.Bench.Modules.Cluster;
using Skein.Bench.Modules.Reporting;
using Skein.Bench.Modules.Workload;
using Skein.Bench.Reporting;

var options = new BenchOptions();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--markdown":
            options.Markdown = true;
            break;
        case "--verbose":
            options.Verbose = true;
            break;
        case "--rounds" when i + 1 < args.Length && PositiveInt(args[i + 1], out var n):
            options.Rounds = n;
            i++;
            break;
        case "--warmup" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n):
            options.WarmUpRounds = n;
            i++;
            break;
        case "--modules" when i + 1 < args.Length && PositiveInt(args[i + 1], out var n) && n < 100:
            options.Modules = n;
            i++;
            break;
        case "--cycles" when i + 1 < args.Length && PositiveInt(args[i + 1], out var n):
            options.Cycles = n;
            i++;
            break;
        case "--settle" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0:
            options.Settle = TimeSpan.FromSeconds(s);
            i++;
            break;
        case "-h" or "--help":
            Usage(Console.Out);
            return 0;
        default:
            Console.Error.WriteLine($"unknown or incomplete option '{args[i]}'");
            Usage(Console.Error);
            return 2;
    }
}

// Ctrl+C and SIGTERM stop the measurements and the processes started for them cleanly.
using var cancel = new StopSignals();

MachineInfo.Write(Console.Out);
Console.WriteLine(
    $"plan:    {options.WarmUpRounds} warm-up + {options.Rounds} measured rounds of load and unload per module kind; then node memory with " +
    $"{options.Modules} assembly modules loaded and after unloading them, {options.Cycles} times ({Format.Duration(options.Settle)} to settle)");
Console.WriteLine();

try
{
    using var files = BenchFiles.Find();
    Console.Error.WriteLine($"starting a coordinator and a node ({files.Skein})");
    await using var cluster = await BenchCluster.StartAsync(files.Skein, files.ModuleDirectories, options.Verbose, cancel.Token);
    try
    {
        var result = await RunAsync(cluster, files, options, cancel.Token);
        result.LoadAverageAtEnd = MachineInfo.LoadAverage();
        ModulesReport.Write(Console.Out, result, files, options);
        if (options.Markdown) ModulesReport.WriteMarkdown(Console.Out, result, options);
        return 0;
    }
    catch (Exception ex) when (!cancel.Token.IsCancellationRequested)
    {
        Console.Error.WriteLine($"failed: {ex}");
        Console.Error.WriteLine(cluster.LastOutput());
        return 1;
    }
}
catch (Exception) when (cancel.Token.IsCancellationRequested)
{
    // Interrupted: whatever was waiting failed with the cancellation (module control reports it as an unanswered call).
    Console.Error.WriteLine("interrupted; the coordinator and the node were stopped");
    return 130;
}
catch (Exception ex) when (ex is IOException or InvalidOperationException or TimeoutException or SkeinException)
{
    // Missing files, or a cluster that did not start: what happened, without a stack trace; nothing is left running.
    Console.Error.WriteLine($"could not run: {ex.Message}");
    return 1;
}

static async Task<ModulesResult> RunAsync(BenchCluster cluster, BenchFiles files, BenchOptions options, CancellationToken ct)
{
    var workload = new ModuleWorkload(cluster, files);
    var result = new ModulesResult();

    // Warm-up: the node's load and unload paths, the call path and the control channel are compiled and connected,
    // and every copy is loaded, called and unloaded once, so neither the first measured module nor the memory cycles
    // pay for the node's first use of those paths (compiling them, sizing its pools), which stays after unloading.
    Console.Error.WriteLine($"warming up ({options.WarmUpRounds} rounds, and one cycle of {options.Modules} modules)");
    await workload.TimeLoadAndUnloadAsync(options.WarmUpRounds, report: false, ct);
    for (var i = 0; i < options.Modules; i++) await workload.LoadCopyAndCallAsync(i, ct);
    for (var i = 0; i < options.Modules; i++) await workload.UnloadCopyAsync(i, ct);

    Console.Error.WriteLine($"timing {options.Rounds} rounds");
    (result.AssemblyLoad, result.AssemblyUnload, result.ProcessLoad, result.ProcessUnload) = await workload.TimeLoadAndUnloadAsync(options.Rounds, report: true, ct);

    // Start: after the warm-up and the timed rounds have been collected (the node collects a second after the last
    // unload), so the start is the node as it stands with no module, having loaded some before.
    Console.Error.WriteLine($"letting the node settle ({Format.Duration(options.Settle)})");
    result.Start = await NodeMemory.SettleAsync(cluster.NodeProcessId, files.ModuleDirectory, options.Settle, ct);

    // More than one cycle shows whether what stays after unloading is kept for reuse (the second cycle ends where the
    // first did) or lost (each cycle ends higher).
    for (var cycle = 1; cycle <= options.Cycles; cycle++)
    {
        Console.Error.WriteLine($"cycle {cycle}: loading {options.Modules} copies of the assembly module, calling each once");
        for (var i = 0; i < options.Modules; i++) await workload.LoadCopyAndCallAsync(i, ct);
        var listed = await workload.CountModulesAsync(ct);
        if (listed != options.Modules) throw new InvalidOperationException($"the node lists {listed} modules, not {options.Modules}");
        // No unload has happened since the start, so no collection is pending; this only lets the calls' work finish.
        var loaded = await NodeMemory.SettleAsync(cluster.NodeProcessId, files.ModuleDirectory, TimeSpan.FromSeconds(2), ct);

        Console.Error.WriteLine($"cycle {cycle}: unloading them all");
        for (var i = 0; i < options.Modules; i++) await workload.UnloadCopyAsync(i, ct);
        var unloaded = await NodeMemory.SettleAsync(cluster.NodeProcessId, files.ModuleDirectory, options.Settle, ct);
        var left = await workload.CountModulesAsync(ct);
        if (left != 0) throw new InvalidOperationException($"the node still lists {left} modules after unloading them all");
        result.Cycles.Add((loaded, unloaded));
    }
    return result;
}

static bool PositiveInt(string text, out int value) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;

static void Usage(TextWriter output)
{
    output.WriteLine("usage: Skein.Bench.Modules [--rounds N] [--warmup N] [--modules N] [--cycles N] [--settle SECONDS] [--markdown] [--verbose]");
    output.WriteLine("  --rounds N        measured load/unload rounds per module kind (default 20)");
    output.WriteLine("  --warmup N        warm-up rounds before them (default 3)");
    output.WriteLine("  --modules N       assembly modules loaded at once for the memory figure (default 20, at most 99)");
    output.WriteLine("  --cycles N        times the modules are all loaded and all unloaded again (default 2)");
    output.WriteLine("  --settle SECONDS  wait before reading memory at the start and after unloading (default 5)");
    output.WriteLine("  --markdown        also print the tables for bench/RESULTS.md");
    output.WriteLine("  --verbose         copy the coordinator's and the node's output to stderr");
}
