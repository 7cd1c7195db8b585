using System.Globalization;
using Skein.Bench;
using Skein.Bench.Reporting;
using Skein.Bench.Scenarios;

if (args.Length == 3 && args[0] == MemoryScenario.ChildFlag)
    return await MemoryScenario.RunAsChildAsync(int.Parse(args[1], CultureInfo.InvariantCulture), args[2]);

var scenarios = ScenarioCatalog.Create(Journals.Registered);
var selected = new List<Scenario>();
var markdown = false;
var repetitions = 5;
var nodes = 0;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--markdown":
            markdown = true;
            break;
        case "--reps" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var reps) && reps > 0:
            repetitions = reps;
            i++;
            break;
        case "--nodes" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var count) && count is > 0 and <= 16:
            nodes = count;
            i++;
            break;
        case "--list":
            foreach (var scenario in scenarios) Console.WriteLine($"{scenario.Name,-10} {scenario.Description}");
            return 0;
        case "-h" or "--help":
            Usage(Console.Out, scenarios);
            return 0;
        case "all":
            selected.AddRange(scenarios);
            break;
        default:
            var match = scenarios.FirstOrDefault(s => string.Equals(s.Name, args[i], StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                Console.Error.WriteLine($"unknown scenario or option '{args[i]}'");
                Usage(Console.Error, scenarios);
                return 2;
            }
            selected.Add(match);
            break;
    }
}
if (selected.Count == 0) selected.AddRange(scenarios);

// Ctrl+C and SIGTERM stop the measurements and the processes started for them cleanly.
using var cancel = new StopSignals();

var settings = new BenchSettings
{
    Repetitions = repetitions,
    Nodes = nodes,
    Markdown = markdown,
    StateDirectory = Path.Combine(Path.GetTempPath(), $"skein-bench-{Environment.ProcessId}"),
};
MachineInfo.Write(Console.Out);
Console.WriteLine();
var rows = new List<ResultRow>();
var failed = false;
try
{
    foreach (var scenario in selected)
    {
        Console.Error.Write($"{scenario.Name}: {scenario.Description} … ");
        var start = Measure.Timestamp();
        try
        {
            rows.AddRange(await scenario.RunAsync(settings, cancel.Token));
            Console.Error.WriteLine($"done in {Format.Duration(Measure.Since(start))}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancel.Token.IsCancellationRequested)
        {
            // One broken scenario must not cost the figures of the others; the report says it failed.
            failed = true;
            Console.Error.WriteLine($"failed: {ex}");
            rows.Add(new ResultRow(scenario.Name, "—", "FAILED") { Note = ex.Message });
        }
    }
}
catch (OperationCanceledException) when (cancel.Token.IsCancellationRequested)
{
    Console.Error.WriteLine("interrupted; reporting what finished");
}
finally
{
    try
    {
        if (Directory.Exists(settings.StateDirectory)) Directory.Delete(settings.StateDirectory, recursive: true);
    }
    catch (IOException)
    {
        // Leftover logs in the temp directory are not worth failing the report over.
    }
}

Console.WriteLine();
Console.WriteLine($"load at the end: {MachineInfo.LoadAverage()}");
ReportWriter.WriteTable(Console.Out, rows);
if (markdown)
{
    Console.WriteLine();
    ReportWriter.WriteMarkdown(Console.Out, rows);
}
return cancel.Token.IsCancellationRequested ? 130 : failed ? 1 : 0;

static void Usage(TextWriter output, IReadOnlyList<Scenario> scenarios)
{
    output.WriteLine("usage: dotnet run -c Release --project bench/Skein.Bench -- [scenario…] [--reps N] [--nodes N] [--markdown] [--list]");
    output.WriteLine();
    output.WriteLine("scenarios (default: all):");
    foreach (var scenario in scenarios) output.WriteLine($"  {scenario.Name,-10} {scenario.Description}");
}
