using Skein.Engine;
using Skein.Pipelines.Elements;

namespace Skein.Pipelines.Tests.Elements;

/// <summary>The shipped elements wired into a small benchmark study and run in one process by the pipeline runner.</summary>
public sealed class ElementPipelineTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"skein-elements-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_state)) Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task A_benchmark_study_runs_parses_summarizes_and_writes_its_tables_and_chart()
    {
        var results = Path.Combine(_state, "results");
        // Each invocation prints its own time: 9 ms, then 5, then a steady 2 ms give or take.
        const string Workload = "n=$(cat ../count 2>/dev/null || echo 0); n=$((n+1)); echo $n > ../count; " +
            "case $n in 1) t=9;; 2) t=5;; 3) t=2.02;; 4) t=1.98;; *) t=2.00;; esac; echo \"sorted in $t ms\"";
        var fast = Command.Shell(Workload).Named("fast").Invocations(6);
        var slow = Command.Shell(Workload.Replace("t=$t", "t=$t", StringComparison.Ordinal) + " >/dev/null; echo \"sorted in 4.0$n ms\"").Named("slow").Invocations(4);
        var parseFast = new ParseNumbers(@"sorted in (?<value>[0-9.]+) ms").Named("parse-fast");
        var parseSlow = new ParseNumbers(@"sorted in (?<value>[0-9.]+) ms").Named("parse-slow");
        var steady = new SteadyState(window: 3, threshold: 0.05);
        var fastSummary = new Summarize { Label = "fast" }.Named("fast-summary");
        var slowSummary = new Summarize { Label = "slow" }.Named("slow-summary");
        var summaries = new Collect<Summary>();

        var pipeline = new Pipeline("study",
            fast["stdout"] >> parseFast["texts"],
            parseFast["values"] >> steady["samples"],
            steady >> fastSummary,
            slow["stdout"] >> parseSlow["texts"],
            parseSlow["values"] >> slowSummary["samples"],
            fastSummary >> summaries["first"],
            slowSummary >> summaries["second"],
            summaries["items"] >> new WriteCsv<Summary>(Path.Combine(results, "summary.csv"))["rows"],
            summaries["items"] >> new WriteMarkdown<Summary>(Path.Combine(results, "report.md")) { Title = "Study" }["rows"],
            summaries["items"] >> new BarChart(Path.Combine(results, "chart.png")) { Title = "Time", YLabel = "ms" }["summaries"],
            fast["max-rss"] >> new Map<long, double>(b => b / 1024.0).Named("rss-kib")["items"],
            fast["wall-time"] >> new Max()["samples"]);

        var result = await PipelineRunner.RunAsync(pipeline, new PipelineRunOptions { Run = new RunOptions { StateDirectory = _state, Workers = 2 } },
            TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, string.Join("; ", result.Elements.Select(e => $"{e.Name}: {e.Result.Outcome} {e.Result.Reason}")));
        Assert.Equal(2, result["steady-state"].Output<int>("dropped"));
        var fastOut = result["fast-summary"].Output<Summary>("summary");
        Assert.Equal(4, fastOut.Count);
        Assert.Equal(2.0, fastOut.Mean, 6);
        Assert.Equal(["fast", "slow"], result["collect"].Output<IReadOnlyList<Summary>>("items").Select(s => s.Label));
        Assert.True(File.Exists(Path.Combine(results, "summary.csv")));
        Assert.Contains("| fast | 4 | 2 |", await File.ReadAllTextAsync(Path.Combine(results, "report.md"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.True(new FileInfo(Path.Combine(results, "chart.png")).Length > 1000);
        Assert.Equal(6, result["rss-kib"].Output<IReadOnlyList<double>>("items").Count);
    }
}
