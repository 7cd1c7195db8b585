using System.Globalization;
using System.Runtime.InteropServices;
using Skein.Bench.Reporting;
using Skein.Bench.Rpc.Comparison;
using Skein.Bench.Rpc.Hosting;
using Skein.Bench.Rpc.Load;
using Skein.Bench.Rpc.Reporting;
using Skein.Bench.Rpc.Targets;

if (ServeCommand.Handles(args))
    return await ServeCommand.RunAsync(args);

var catalog = TargetCatalog.All;
var selected = new List<EchoTargetDefinition>();
var markdown = false;
var pythonClient = false;
var duration = TimeSpan.FromSeconds(3);
var warmUp = TimeSpan.FromSeconds(1);
var startWarmUp = TimeSpan.FromSeconds(3);
var rounds = 3;
IReadOnlyList<int> callerCounts = [1, 16, 64];
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--markdown":
            markdown = true;
            break;
        case "--duration" when i + 1 < args.Length && TrySeconds(args[i + 1], out var seconds) && seconds > TimeSpan.Zero:
            duration = seconds;
            i++;
            break;
        case "--start-warmup" when i + 1 < args.Length && TrySeconds(args[i + 1], out var seconds) && seconds >= TimeSpan.Zero:
            startWarmUp = seconds;
            i++;
            break;
        case "--warmup" when i + 1 < args.Length && TrySeconds(args[i + 1], out var seconds) && seconds >= TimeSpan.Zero:
            warmUp = seconds;
            i++;
            break;
        case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0:
            rounds = count;
            i++;
            break;
        case "--callers" when i + 1 < args.Length && TryCounts(args[i + 1], out var counts):
            callerCounts = counts;
            i++;
            break;
        case PythonClientComparison.Option:
            pythonClient = true;
            break;
        case "--list":
            foreach (var target in catalog) Console.WriteLine($"{target.Name,-8} {target.Description}");
            return 0;
        case "-h" or "--help":
            Usage(Console.Out);
            return 0;
        default:
            var match = catalog.FirstOrDefault(t => string.Equals(t.Name, args[i], StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                Console.Error.WriteLine($"unknown target or option '{args[i]}'");
                Usage(Console.Error);
                return 2;
            }
            if (!selected.Contains(match)) selected.Add(match);
            break;
    }
}
if (selected.Count == 0) selected.AddRange(catalog);
using var sampler = AllocationSampler.StartIfAsked();
var runner = new LoadRunner(new LoadOptions { Duration = duration, WarmUp = warmUp, StartWarmUp = startWarmUp, CallerCounts = callerCounts }) { Sampler = sampler };

// Ctrl+C and SIGTERM stop the measurements and the processes started for them cleanly.
using var cancel = new StopSignals();

if (pythonClient)
{
    MachineInfo.Write(Console.Out);
    Console.WriteLine($"the Python client against the C# client on one echo node: {string.Join(", ", callerCounts)} callers, " +
                      $"{Format.Duration(warmUp)} warm-up, {Format.Duration(duration)} measured, {rounds} rounds, the median reported");
    return await PythonClientComparison.RunAsync(runner, rounds, markdown, cancel.Token);
}

MachineInfo.Write(Console.Out);
Console.WriteLine(
    $"levels:  {string.Join(", ", callerCounts)} callers, after a {Format.Duration(startWarmUp)} warm-up of each target; {Format.Duration(warmUp)} warm-up, then {Format.Duration(duration)} measured; " +
    $"{rounds} round{(rounds == 1 ? "" : "s")} each, the median reported");
Console.WriteLine();

var rows = new List<RpcRow>();
var failed = false;
var running = new List<(EchoTargetDefinition Definition, IEchoDeployment Deployment)>();
var serverPaths = new ServerPaths();
try
{
    // Every target is started first and the levels then alternate between them, so all see the same machine load.
    foreach (var definition in selected)
    {
        try
        {
            Console.Error.WriteLine($"{definition.Name}: starting");
            running.Add((definition, await definition.Start(cancel.Token)));
        }
        catch (TargetUnavailableException ex)
        {
            Console.Error.WriteLine($"{definition.Name}: skipped — {ex.Message}");
            foreach (var callers in callerCounts) rows.Add(new RpcRow(definition.Name, callers) { Problem = $"pending: {ex.Message}" });
        }
        catch (Exception ex) when (!cancel.Token.IsCancellationRequested)
        {
            failed = true;
            Console.Error.WriteLine($"{definition.Name}: failed to start: {ex}");
            foreach (var callers in callerCounts) rows.Add(new RpcRow(definition.Name, callers) { Problem = $"FAILED to start: {FirstLine(ex.Message)}" });
        }
    }

    for (var i = 0; i < running.Count; i++)
    {
        var (definition, deployment) = running[i];
        var targets = new List<IEchoTarget>(runner.Options.StartWarmUpCallers);
        try
        {
            Console.Error.WriteLine($"{definition.Name}: warming up ({Format.Duration(runner.Options.StartWarmUp)}, {runner.Options.StartWarmUpCallers} callers)");
            for (var caller = 0; caller < runner.Options.StartWarmUpCallers; caller++) targets.Add(await deployment.CreateTargetAsync(caller, cancel.Token));
            await runner.WarmUpAsync(targets, cancel.Token);
            await serverPaths.ReportAsync(definition.Name, "start warm-up", deployment, cancel.Token);
        }
        catch (Exception ex) when (!cancel.Token.IsCancellationRequested)
        {
            failed = true;
            Console.Error.WriteLine($"{definition.Name}: failed while warming up: {ex}");
            foreach (var callers in callerCounts) rows.Add(new RpcRow(definition.Name, callers) { Problem = $"FAILED while warming up: {FirstLine(ex.Message)}" });
            await deployment.DisposeAsync();
            running.RemoveAt(i--);
        }
        finally
        {
            foreach (var target in targets.Distinct())
                if (target is IAsyncDisposable disposable) await disposable.DisposeAsync();
        }
    }

    foreach (var callers in callerCounts)
    {
        // Targets are made once per level (connecting, proxies, activations); the rounds then alternate the systems.
        var levels = new List<(EchoTargetDefinition Definition, IEchoDeployment Deployment, List<IEchoTarget> Targets, RpcRow Row)>();
        try
        {
            foreach (var (definition, deployment) in running)
            {
                var row = new RpcRow(definition.Name, callers);
                rows.Add(row);
                var targets = new List<IEchoTarget>(callers);
                levels.Add((definition, deployment, targets, row));
                try
                {
                    for (var caller = 0; caller < callers; caller++) targets.Add(await deployment.CreateTargetAsync(caller, cancel.Token));
                }
                catch (Exception ex) when (!cancel.Token.IsCancellationRequested)
                {
                    failed = true;
                    Console.Error.WriteLine($"{definition.Name}, {callers} callers: failed to connect: {ex}");
                    row.Problem = $"FAILED to connect: {FirstLine(ex.Message)}";
                }
            }
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var (definition, deployment, targets, row) in levels)
                {
                    if (row.Problem is not null) continue;
                    try
                    {
                        var result = await runner.RunLevelAsync(targets, cancel.Token, deployment is IServerAllocations server ? server.ServerAllocatedBytesAsync : null);
                        row.Rounds.Add(result);
                        Console.Error.WriteLine(
                            $"{definition.Name}, {callers} caller{(callers == 1 ? "" : "s")}, round {round}: {Format.Number(result.CallsPerSecond, "N0")} calls/s, " +
                            $"p50 {Format.Number(result.P50Microseconds, "N0")} µs, p99 {Format.Number(result.P99Microseconds, "N0")} µs, " +
                            $"allocated per call {AllocationFigures.Describe(result)}");
                    }
                    catch (Exception ex) when (!cancel.Token.IsCancellationRequested)
                    {
                        // One broken target must not cost the figures of the others; the report says it failed.
                        failed = true;
                        Console.Error.WriteLine($"{definition.Name}, {callers} callers: failed: {ex}");
                        row.Problem = $"FAILED: {FirstLine(ex.Message)}";
                    }
                }
            }
            foreach (var (definition, deployment) in running)
                await serverPaths.ReportAsync(definition.Name, $"{callers} caller{(callers == 1 ? "" : "s")}", deployment, cancel.Token);
        }
        finally
        {
            foreach (var (_, _, targets, _) in levels)
            {
                foreach (var target in targets.Distinct())
                    if (target is IAsyncDisposable disposable) await disposable.DisposeAsync();
            }
        }
    }
}
catch (OperationCanceledException) when (cancel.Token.IsCancellationRequested)
{
    Console.Error.WriteLine("interrupted; stopping the servers and reporting what finished");
}
finally
{
    for (var i = running.Count - 1; i >= 0; i--)
    {
        try
        {
            await running[i].Deployment.DisposeAsync();
        }
        catch (Exception ex)
        {
            failed = true;
            Console.Error.WriteLine($"{running[i].Definition.Name}: failed to stop: {ex.Message}");
        }
    }
}

// Report in catalog order, then by level, whatever order the levels ran in.
var ordered = rows.OrderBy(r => catalog.ToList().FindIndex(t => t.Name == r.Target)).ThenBy(r => r.Callers).ToList();
Console.WriteLine();
Console.WriteLine($"load at the end: {MachineInfo.LoadAverage()}");
RpcReport.WriteTable(Console.Out, ordered, TargetCatalog.Baseline);
serverPaths.Write(Console.Out);
if (markdown)
{
    Console.WriteLine();
    RpcReport.WriteMarkdown(Console.Out, ordered, TargetCatalog.Baseline);
}
Skein.Bench.Rpc.TcpC.TransportLimitReport.Write(Console.Out, ordered, markdown);
return cancel.Token.IsCancellationRequested ? 130 : failed ? 1 : 0;

static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd();

static bool TrySeconds(string text, out TimeSpan time)
{
    var ok = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds);
    time = ok ? TimeSpan.FromSeconds(seconds) : default;
    return ok;
}

static bool TryCounts(string text, out IReadOnlyList<int> counts)
{
    var list = new List<int>();
    foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            counts = [];
            return false;
        }
        list.Add(count);
    }
    counts = list;
    return list.Count > 0;
}

static void Usage(TextWriter output)
{
    output.WriteLine("usage: dotnet run -c Release --project bench/Skein.Bench.Rpc -- [target…] [--callers 1,16,64] [--duration S] [--warmup S] [--start-warmup S] [--rounds N] [--markdown] [--list]");
    output.WriteLine("       dotnet run -c Release --project bench/Skein.Bench.Rpc -- --python-client [--callers 1,16] [--duration S] [--warmup S] [--rounds N] [--markdown]");
    output.WriteLine();
    output.WriteLine("targets (default: all):");
    foreach (var target in TargetCatalog.All) output.WriteLine($"  {target.Name,-8} {target.Description}");
}
