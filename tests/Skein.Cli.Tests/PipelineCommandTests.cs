namespace Skein.Cli.Tests;

/// <summary>
/// <c>skein pipeline check|graph|run</c> on a small pipeline assembly (tests/Pipelines/Sample, built beside the tests):
/// every problem of a broken pipeline at once, the graph in both formats, a run in this process.
/// </summary>
public sealed class PipelineCommandTests
{
    internal static string SampleAssembly => Path.Combine(AppContext.BaseDirectory, "modules", "pipeline-sample", "Sample.dll");

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Check_of_a_broken_pipeline_exits_2_naming_every_problem_and_runs_nothing()
    {
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "pipeline", "check", SampleAssembly, "--pipeline", "broken");

        Assert.True(result.ExitCode == 2, result.ToString());
        var problems = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("broken: error: ", StringComparison.Ordinal)).ToList();
        // The type that does not fit names both elements and both ports.
        Assert.Contains(problems, p => p.Contains("numbers", StringComparison.Ordinal) && p.Contains("values", StringComparison.Ordinal)
            && p.Contains("shout", StringComparison.Ordinal) && p.Contains("text", StringComparison.Ordinal));
        // The input nobody feeds.
        Assert.Contains(problems, p => p.Contains("volume", StringComparison.Ordinal));
        // The cycle, as a path through both elements.
        Assert.Contains(problems, p => p.Contains("cycle", StringComparison.OrdinalIgnoreCase) && p.Contains("ping", StringComparison.Ordinal) && p.Contains("pong", StringComparison.Ordinal));
        Assert.Contains($"{problems.Count} errors in pipeline broken; nothing ran.", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Check_of_a_valid_pipeline_says_so()
    {
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "pipeline", "check", SampleAssembly, "--pipeline", "sums");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("pipeline sums: 3 elements, 4 edges; valid", result.Stdout);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Several_pipelines_and_none_named_are_listed_with_exit_2()
    {
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "pipeline", "check", SampleAssembly);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("has 3 pipelines; name one with --pipeline NAME:", result.Stderr);
        Assert.Matches(@"(?m)^  Broken\r?$", result.Stderr);
        Assert.Matches(@"(?m)^  Sums\r?$", result.Stderr);
        Assert.Matches(@"(?m)^  Stalls\r?$", result.Stderr);

        var unknown = await SkeinProcess.RunAsync(dir.Path, "pipeline", "check", SampleAssembly, "--pipeline", "nope");
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Contains("has no pipeline named 'nope'; it has: Broken, Stalls, Sums", unknown.Stderr);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Graph_prints_dot_with_ports_placement_and_labelled_edges()
    {
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "pipeline", "graph", SampleAssembly, "--pipeline", "sums");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("digraph \"sums\" {", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("<b>numbers</b>", result.Stdout);
        Assert.Contains("on node-1", result.Stdout);
        Assert.Contains("on node-2", result.Stdout);
        Assert.Contains("values: IReadOnlyList&lt;int&gt;", result.Stdout);
        Assert.Contains("\"numbers\":\"out-values\":e -> \"sum\":\"in-values\":w [label=\"values\"];", result.Stdout);
        Assert.Contains("\"sum\":\"out-ran-on\":e -> \"report\":\"in-sum-ran-on\":w [label=\"ran-on → sum-ran-on\"];", result.Stdout);
        Assert.EndsWith("}" + Environment.NewLine, result.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Graph_writes_mermaid_to_a_file()
    {
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "pipeline", "graph", SampleAssembly, "--pipeline", "sums", "--format", "mermaid", "--output", "out/sums.mmd");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stdout);
        var mermaid = await File.ReadAllTextAsync(dir.File("out/sums.mmd"), TestContext.Current.CancellationToken);
        Assert.Contains("flowchart LR", mermaid);
        Assert.Contains("e0[\"<b>numbers</b><br/>Numbers<br/><i>on node-1</i><br/>out values: IReadOnlyList#lt;int#gt;<br/>out ran-on: string\"]", mermaid);
        Assert.Contains("e0 -->|\"values\"| e1", mermaid);
        Assert.Contains("e1 -->|\"ran-on → sum-ran-on\"| e2", mermaid);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Graph_of_a_broken_pipeline_draws_what_resolves_and_exits_2()
    {
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "pipeline", "graph", SampleAssembly, "--pipeline", "broken");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith("digraph \"broken\" {", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("the graph shows the edges that resolve", result.Stderr);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Run_in_this_process_passes_every_element_and_ignores_placement()
    {
        using var dir = new TempDirectory();
        await using var skein = SkeinProcess.Start(dir.Path, new Dictionary<string, string> { ["SAMPLE_OUT"] = dir.Path }, null,
            "pipeline", "run", SampleAssembly, "--pipeline", "sums", "--json", "report.json");
        var code = await skein.WaitForExitAsync(TestPatience.Ceiling);

        Assert.True(code == 0, $"exit {code}\n{skein.Stdout}\n{skein.Stderr}");
        Assert.Contains("3 of 3 tasks passed", skein.Stdout);
        var report = await File.ReadAllTextAsync(dir.File("report.txt"), TestContext.Current.CancellationToken);
        Assert.Equal("total=55\nnumbers ran on here\nsum ran on here\nreport ran on here\n", report);
        Assert.True(File.Exists(dir.File("report.json")));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Run_on_two_nodes_places_each_element_on_the_node_it_names()
    {
        using var dir = new TempDirectory();
        // The throwaway cluster's nodes inherit this variable, so the report lands here wherever it runs.
        await using var skein = SkeinProcess.Start(dir.Path, new Dictionary<string, string> { ["SAMPLE_OUT"] = dir.Path }, null,
            "pipeline", "run", SampleAssembly, "--pipeline", "sums", "--nodes", "2");
        var code = await skein.WaitForExitAsync(TestPatience.Ceiling);

        Assert.True(code == 0, $"exit {code}\n{skein.Stdout}\n{skein.Stderr}");
        Assert.Contains("3 of 3 tasks passed", skein.Stdout);
        var report = await File.ReadAllTextAsync(dir.File("report.txt"), TestContext.Current.CancellationToken);
        Assert.StartsWith("total=55\nnumbers ran on node-1\nsum ran on node-2\nreport ran on node-", report, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task The_benchmark_example_runs_in_this_process_and_writes_its_csv_report_and_chart()
    {
        using var dir = new TempDirectory();
        var bench = Path.Combine(AppContext.BaseDirectory, "modules", "pipeline-bench", "Bench.dll");
        var results = dir.File("results");
        // Three invocations, the fewest the steady-state window takes; the study is otherwise the one the README shows.
        await using var skein = SkeinProcess.Start(dir.Path,
            new Dictionary<string, string> { ["BENCH_INVOCATIONS"] = "3", ["BENCH_RESULTS"] = results }, null,
            "pipeline", "run", bench);
        var code = await skein.WaitForExitAsync(TestPatience.Ceiling);

        Assert.True(code == 0, $"exit {code}\n{skein.Stdout}\n{skein.Stderr}");
        Assert.Contains("20 of 20 tasks passed", skein.Stdout);
        var csv = await File.ReadAllLinesAsync(Path.Combine(results, "summary.csv"), TestContext.Current.CancellationToken);
        Assert.StartsWith("Label,Count,Mean,", csv[0], StringComparison.Ordinal);
        Assert.Equal(["\"sort n=50,000\"", "\"sort n=200,000\"", "\"primes n=1,000,000\"", "\"primes n=4,000,000\""], csv.Skip(1).Select(l => l[..l.IndexOf(",3,", StringComparison.Ordinal)]));
        var report = await File.ReadAllTextAsync(Path.Combine(results, "report.md"), TestContext.Current.CancellationToken);
        Assert.Contains("| sort n=200,000 | 3 |", report);
        var chart = await File.ReadAllBytesAsync(Path.Combine(results, "chart.png"), TestContext.Current.CancellationToken);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, chart[..4]);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Run_refuses_a_broken_pipeline_before_anything_runs()
    {
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "pipeline", "run", SampleAssembly, "--pipeline", "broken", "--state", dir.File("state"));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("errors in pipeline broken; nothing ran.", result.Stderr);
        Assert.False(Directory.Exists(dir.File("state")), "a refused pipeline opened the journal");
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Bad_paths_are_said_with_exit_2()
    {
        using var dir = new TempDirectory();
        var missing = await SkeinProcess.RunAsync(dir.Path, "pipeline", "check", "nowhere");
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("nowhere does not exist", missing.Stderr);

        dir.Write("empty/readme.txt", "no project here");
        var empty = await SkeinProcess.RunAsync(dir.Path, "pipeline", "check", "empty");
        Assert.True(empty.ExitCode == 2, empty.ToString());
        Assert.Contains("holds no C# project", empty.Stderr);

        dir.Write("junk.dll", "not an assembly");
        var junk = await SkeinProcess.RunAsync(dir.Path, "pipeline", "check", "junk.dll");
        Assert.True(junk.ExitCode == 2, junk.ToString());
        Assert.Contains("is not a .NET assembly skein can load", junk.Stderr);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_project_that_does_not_build_is_exit_2_naming_it_with_the_compiler_output()
    {
        using var dir = new TempDirectory();
        dir.Write("broken/Broken.csproj", """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
            </Project>
            """);
        dir.Write("broken/Code.cs", "public static class Code { public static int X => \"not a number\"; }");
        var result = await SkeinProcess.RunAsync(dir.Path, "pipeline", "check", "broken");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("Code.cs", result.Stderr);
        Assert.Contains("error CS0029", result.Stderr);
        Assert.Contains($"the project {dir.File("broken/Broken.csproj")} did not build", result.Stderr);
    }
}
