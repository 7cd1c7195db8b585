using System.Globalization;
using System.Reflection;
using Skein.Pipelines;
using Skein.Pipelines.Elements;

namespace Skein.Examples.Bench;

/// <summary>
/// The study: each workload in each configuration runs <see cref="Invocations"/> times on its node, each invocation
/// printing its time; the times are parsed, the warm-up invocations dropped, and what is left summarized (mean and 95 %
/// confidence interval); the four summaries go to a CSV file, a Markdown report and a bar chart with error bars.
/// </summary>
public static class Study
{
    /// <summary>One workload in one configuration, and the node it runs on.</summary>
    private sealed record Configuration(string Workload, string Script, int Size, int Repeat, string Node)
    {
        public string Name => Size % 1_000_000 == 0 ? $"{Workload}-{Size / 1_000_000}m" : $"{Workload}-{Size / 1000}k";

        public string Label => string.Create(CultureInfo.InvariantCulture, $"{Workload} n={Size:N0}");
    }

    private static readonly Configuration[] Configurations =
    [
        new("sort", "sort.py", 50_000, 4, "node-1"),
        new("sort", "sort.py", 200_000, 4, "node-1"),
        new("primes", "primes.py", 1_000_000, 4, "node-2"),
        new("primes", "primes.py", 4_000_000, 4, "node-2"),
    ];

    /// <summary>How many times each configuration runs (BENCH_INVOCATIONS, default 5).</summary>
    private static int Invocations => Environment.GetEnvironmentVariable("BENCH_INVOCATIONS") is { Length: > 0 } given
        ? int.Parse(given, CultureInfo.InvariantCulture) : 5;

    /// <summary>Where the CSV, the report and the chart go (BENCH_RESULTS, default results/ beside the project).</summary>
    private static string Results => Environment.GetEnvironmentVariable("BENCH_RESULTS") is { Length: > 0 } given
        ? Path.GetFullPath(given)
        : typeof(Study).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BenchResults").Value!;

    /// <summary>The workloads shipped with the assembly (copied beside it by the build, and to a node with it).</summary>
    private static string Workloads => Path.Combine(Path.GetDirectoryName(typeof(Study).Assembly.Location)!, "workloads");

    [Pipeline]
    public static Pipeline Bench()
    {
        var chains = new List<Chain>();
        var summaries = new Collect<Summary>().Named("summaries");
        string[] slots = ["first", "second", "third", "fourth"];
        for (var i = 0; i < Configurations.Length; i++)
        {
            var configuration = Configurations[i];
            // Each invocation runs in a fresh directory; stdout becomes the list of the invocations' outputs.
            var run = new Command("python3", Path.Combine(Workloads, configuration.Script),
                    configuration.Size.ToString(CultureInfo.InvariantCulture), configuration.Repeat.ToString(CultureInfo.InvariantCulture))
                .Named(configuration.Name)
                .On(configuration.Node)
                .Invocations(Invocations)
                .WithTimeout(TimeSpan.FromMinutes(5));
            var times = new ParseNumbers(@"time: (?<value>[0-9.]+) ms").Named($"{configuration.Name}-times");
            var steady = new SteadyState(window: 3, threshold: 0.10) { KeepUnsteady = true }.Named($"{configuration.Name}-steady");
            var summary = new Summarize { Label = configuration.Label }.Named($"{configuration.Name}-summary");
            chains.Add(run["stdout"] >> times["texts"]);
            chains.Add(times["values"] >> steady["samples"]);
            chains.Add(steady >> summary);
            chains.Add(summary["summary"] >> summaries[slots[i]]);
        }

        var csv = new WriteCsv<Summary>(Path.Combine(Results, "summary.csv")).Named("csv");
        var report = new WriteMarkdown<Summary>(Path.Combine(Results, "report.md"))
        {
            Title = "Run time per configuration (ms, steady-state invocations, 95 % confidence interval)",
            NumberFormat = "0.00",
        }.Named("report");
        var chart = new BarChart(Path.Combine(Results, "chart.png"))
        {
            Title = "Run time per configuration",
            YLabel = "milliseconds (mean, 95 % CI)",
        }.Named("chart");
        chains.Add(summaries["items"] >> csv["rows"]);
        chains.Add(summaries["items"] >> report["rows"]);
        chains.Add(summaries["items"] >> chart["summaries"]);
        return new Pipeline("bench", chains);
    }
}
