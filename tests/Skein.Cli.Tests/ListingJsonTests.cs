using System.Text.Json;

namespace Skein.Cli.Tests;

/// <summary>
/// Every listing command prints JSON with <c>--json</c> or <c>--format json</c> (the shapes docs/cli.md gives), and a
/// table into a pipe is as wide as its rows: none is wrapped.
/// </summary>
public class ListingJsonTests
{
    private const string Job = """
        name: a-job-whose-name-is-long-enough-to-have-wrapped-an-eighty-column-table-before
        tasks:
          a-task-whose-id-is-long-enough-to-wrap-too:
            run: |
              echo "::output answer=42"
              echo '::result name=first outcome=passed'
              echo '::result name=second outcome=failed message="the reason this sub-result failed is long, long enough to wrap a table"'

        """;

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Runs_and_show_print_json_with_a_stable_shape()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", Job);
        Assert.Equal(1, (await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "-q")).ExitCode);

        var runs = await SkeinProcess.RunAsync(dir.Path, "runs", "--json");
        var show = await SkeinProcess.RunAsync(dir.Path, "show", "latest", "--format", "json");

        Assert.True(runs.ExitCode == 0, runs.ToString());
        using (var json = JsonDocument.Parse(runs.Stdout))
        {
            var run = Assert.Single(json.RootElement.GetProperty("runs").EnumerateArray());
            Assert.Equal(1, run.GetProperty("id").GetInt64());
            Assert.Equal("failed", run.GetProperty("state").GetString());
            Assert.Equal(1, run.GetProperty("taskCount").GetInt32());
            Assert.Equal(1, run.GetProperty("counts").GetProperty("failed").GetInt32());
            Assert.Equal(JsonValueKind.Number, run.GetProperty("durationMs").ValueKind);
            Assert.EndsWith("+00:00", run.GetProperty("startedAt").GetString());
        }
        Assert.True(show.ExitCode == 0, show.ToString());
        using (var json = JsonDocument.Parse(show.Stdout))
        {
            var run = json.RootElement.GetProperty("run");
            Assert.Equal(1, run.GetProperty("id").GetInt64());
            var task = Assert.Single(run.GetProperty("tasks").EnumerateArray());
            Assert.Equal("a-task-whose-id-is-long-enough-to-wrap-too", task.GetProperty("id").GetString());
            Assert.Equal("failed", task.GetProperty("outcome").GetString());
            Assert.Equal(1, task.GetProperty("attempts").GetInt32());
            Assert.Equal("42", task.GetProperty("outputs").GetProperty("answer").GetString());
            var subs = task.GetProperty("subResults").EnumerateArray().ToList();
            Assert.Equal(["first", "second"], subs.Select(s => s.GetProperty("name").GetString()));
            Assert.Equal("failed", subs[1].GetProperty("outcome").GetString());
        }

        var empty = await SkeinProcess.RunAsync(dir.Path, "runs", "--json", "--job", "no-such-job");
        Assert.Equal("{\"runs\":[]}", empty.Stdout.Replace(" ", "").Replace("\n", ""));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Tables_into_a_pipe_do_not_wrap()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", Job);
        Assert.Equal(1, (await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "-q")).ExitCode);

        var runs = await SkeinProcess.RunAsync(dir.Path, "runs");
        var show = await SkeinProcess.RunAsync(dir.Path, "show", "latest");

        Assert.True(runs.ExitCode == 0, runs.ToString());
        Assert.Single(runs.Stdout.Split('\n'), l => l.Contains("a-job-whose-name-is-long-enough-to-have-wrapped-an-eighty-column-table-before", StringComparison.Ordinal)
                                                    && l.Contains("1 failed", StringComparison.Ordinal));
        Assert.Single(show.Stdout.Split('\n'), l => l.Contains("│   second ", StringComparison.Ordinal)
                                                    && l.Contains("the reason this sub-result failed is long, long enough to wrap a table", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Json_with_format_table_is_bad_input()
    {
        using var dir = new TempDirectory();

        var both = await SkeinProcess.RunAsync(dir.Path, "runs", "--json", "--format", "table");
        var unknown = await SkeinProcess.RunAsync(dir.Path, "runs", "--format", "yaml");

        Assert.Equal(2, both.ExitCode);
        Assert.Contains("skein: --json is --format json: it cannot go with --format table", both.Stderr);
        Assert.Equal(2, unknown.ExitCode);
    }
}
