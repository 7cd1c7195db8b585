using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Skein.Bench.Reporting;
using Skein.Bench.Rpc.Load;
using Skein.Bench.Rpc.Targets;

namespace Skein.Bench.Rpc.Comparison;

/// <summary>
/// The Python client package (sdk/python) against the C# client on one Skein echo node, in the same run: the C# side
/// is the <c>skein</c> row's typed proxies, driven by the load runner; the Python side is pyclient_bench.py, run by
/// Debian's Python (grpcio), with the same warm-up and window. Rounds alternate the two, the median is reported.
/// </summary>
internal static class PythonClientComparison
{
    public const string Option = "--python-client";

    private const string Python = "/usr/bin/python3";

    public static async Task<int> RunAsync(LoadRunner runner, int rounds, bool markdown, CancellationToken cancellationToken)
    {
        if (!File.Exists(Python))
        {
            await Console.Error.WriteLineAsync($"{Python} is missing: install python3-grpcio python3-protobuf").ConfigureAwait(false);
            return 2;
        }
        var levels = runner.Options.CallerCounts;
        await using var deployment = (SkeinDeployment)await SkeinDeployment.StartAsync(cancellationToken).ConfigureAwait(false);
        var parts = deployment.ReadyDetail.Split(' ', 2);
        var csharp = levels.ToDictionary(c => c, _ => new List<LevelResult>());
        var python = levels.ToDictionary(c => c, _ => new List<PythonLevel>());

        var warm = new List<IEchoTarget>();
        for (var i = 0; i < runner.Options.StartWarmUpCallers; i++) warm.Add(await deployment.CreateTargetAsync(i, cancellationToken).ConfigureAwait(false));
        await runner.WarmUpAsync(warm, cancellationToken).ConfigureAwait(false);
        foreach (var target in warm.OfType<IAsyncDisposable>()) await target.DisposeAsync().ConfigureAwait(false);

        for (var round = 1; round <= rounds; round++)
        {
            foreach (var callers in levels)
            {
                var targets = new List<IEchoTarget>();
                for (var i = 0; i < callers; i++) targets.Add(await deployment.CreateTargetAsync(i, cancellationToken).ConfigureAwait(false));
                var result = await runner.RunLevelAsync(targets, cancellationToken).ConfigureAwait(false);
                foreach (var target in targets.OfType<IAsyncDisposable>()) await target.DisposeAsync().ConfigureAwait(false);
                csharp[callers].Add(result);
                await Console.Error.WriteLineAsync($"C# client, {callers} callers, round {round}: {Format.Number(result.CallsPerSecond, "N0")} calls/s")
                    .ConfigureAwait(false);
            }
            foreach (var level in await RunPythonAsync(parts[0], parts[1], runner.Options, cancellationToken).ConfigureAwait(false))
            {
                python[level.Callers].Add(level);
                await Console.Error.WriteLineAsync($"Python client, {level.Callers} callers, round {round}: {Format.Number(level.CallsPerSecond, "N0")} calls/s")
                    .ConfigureAwait(false);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"load at the end: {MachineInfo.LoadAverage()}");
        Console.WriteLine($"{"client",-14} {"callers",7} {"calls/s",10} {"p50 µs",9} {"p99 µs",9} {"vs C#",7}");
        var rows = new List<string>();
        foreach (var callers in levels)
        {
            var cs = Median(csharp[callers], r => r.CallsPerSecond);
            var csRound = csharp[callers].OrderBy(r => r.CallsPerSecond).ElementAt(csharp[callers].Count / 2);
            var py = Median(python[callers], r => r.CallsPerSecond);
            var pyRound = python[callers].OrderBy(r => r.CallsPerSecond).ElementAt(python[callers].Count / 2);
            Console.WriteLine($"{"C# (proxy)",-14} {callers,7} {Format.Number(cs, "N0"),10} {Format.Number(csRound.P50Microseconds, "N0"),9} {Format.Number(csRound.P99Microseconds, "N0"),9} {"1.00",7}");
            Console.WriteLine($"{"Python",-14} {callers,7} {Format.Number(py, "N0"),10} {Format.Number(pyRound.P50Microseconds, "N0"),9} {Format.Number(pyRound.P99Microseconds, "N0"),9} {(py / cs).ToString("0.00", CultureInfo.InvariantCulture),7}");
            rows.Add($"| C# client (typed proxy) | {callers} | {Format.Number(cs, "N0")} | {Format.Number(csRound.P50Microseconds, "N0")} | {Format.Number(csRound.P99Microseconds, "N0")} | 1.00 |");
            rows.Add($"| Python client (`skein.Client.call`) | {callers} | {Format.Number(py, "N0")} | {Format.Number(pyRound.P50Microseconds, "N0")} | {Format.Number(pyRound.P99Microseconds, "N0")} | {(py / cs).ToString("0.00", CultureInfo.InvariantCulture)} |");
        }
        if (markdown)
        {
            Console.WriteLine();
            Console.WriteLine("| client | callers | calls/s | p50 µs | p99 µs | vs C# |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            foreach (var row in rows) Console.WriteLine(row);
        }
        return 0;
    }

    private static double Median<T>(List<T> values, Func<T, double> of)
    {
        var sorted = values.Select(of).Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static async Task<List<PythonLevel>> RunPythonAsync(string address, string tokenFile, LoadOptions options, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[Script(), "--address", address, "--token-file", tokenFile, "--callers", string.Join(',', options.CallerCounts),
                     "--warmup", options.WarmUp.TotalSeconds.ToString(CultureInfo.InvariantCulture), "--duration", options.Duration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
                     "--length", options.TextLength.ToString(CultureInfo.InvariantCulture)])
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var levels = new List<PythonLevel>();
        while (await process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            levels.Add(new PythonLevel(root.GetProperty("callers").GetInt32(), root.GetProperty("calls").GetInt64() / root.GetProperty("seconds").GetDouble(),
                root.GetProperty("p50_us").GetDouble(), root.GetProperty("p99_us").GetDouble()));
        }
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0) throw new InvalidOperationException($"the Python client exited with {process.ExitCode}: {await stderr.ConfigureAwait(false)}");
        return levels;
    }

    private static string Script()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "bench", "Skein.Bench.Rpc", "Skein", "pyclient_bench.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("pyclient_bench.py not found above " + AppContext.BaseDirectory);
    }

    private sealed record PythonLevel(int Callers, double CallsPerSecond, double P50Microseconds, double P99Microseconds);
}
