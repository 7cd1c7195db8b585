using System.Text.Json;

namespace Skein.Cli.Tests;

/// <summary><c>skein test history</c> and <c>skein test plan</c> as users run them, over runs of real <c>skein test</c> processes.</summary>
public class TestHistoryCommandTests
{
    /// <summary>A suite with a flaky experiment: it fails the first time (and leaves a marker), and passes once the marker is there.</summary>
    private static void WriteSuite(TempDirectory dir)
    {
        dir.Write("suites/checks/suite.yaml", """
            name: checks
            defaults: { timeout: 1m }
            experiments:
              steady: { description: "always passes", tags: [REQ-1, TC-1] }
            """);
        dir.Write("suites/checks/steady.sh", "echo '::result name=one outcome=passed'\n");
        dir.Write("suites/checks/flaky.sh", """
            # skein: tags: [REQ-1, "req:R2", TC-2]
            if [ -e "$MARKER" ]; then exit 0; fi
            touch "$MARKER"
            echo 'first time: the cache was cold' >&2
            exit 1
            """);
        dir.Write("test.yaml", $"""
            name: nightly
            suites: [suites]
            cluster: {"{"} nodes: 1 {"}"}
            parameters: {"{"} MARKER: "{dir.File("marker")}" {"}"}
            """);
    }

    [Theory]
    [InlineData("history", "skein test history [<NAME>] [options]")]
    [InlineData("plan", "skein test plan [options]")]
    public async Task The_help_of_history_and_plan_shows_their_own_usage_without_the_configuration(string subcommand, string usage)
    {
        using var dir = new TempDirectory();

        var help = await SkeinProcess.RunAsync(dir.Path, "test", subcommand, "--help");

        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("  " + usage, help.Stdout.Split('\n').Select(l => l.TrimEnd()));
        Assert.DoesNotContain("CONFIG>", help.Stdout.Replace("--config <CONFIG>", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_experiment_that_failed_then_passed_shows_as_flaky_and_the_plan_lists_its_requirements()
    {
        using var dir = new TempDirectory();
        WriteSuite(dir);
        var state = dir.File("state");

        var first = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--state", state, "--output", "none");
        Assert.True(first.ExitCode == 1, first.ToString());
        var second = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--state", state, "--output", "none");
        Assert.True(second.ExitCode == 0, second.ToString());

        var history = await SkeinProcess.RunAsync(dir.Path, "test", "history", "--state", state);
        Assert.True(history.ExitCode == 0, history.ToString());
        var rows = history.Stdout.Split('\n').Select(l => l.Trim()).ToList();
        Assert.StartsWith("experiment", rows[0], StringComparison.Ordinal);
        var flaky = Assert.Single(rows, l => l.StartsWith("checks::flaky ", StringComparison.Ordinal));
        Assert.Contains("50% (1/2)", flaky);
        Assert.Matches(@"\spassed\s+FLAKY$", flaky);
        var steady = Assert.Single(rows, l => l.StartsWith("checks::steady ", StringComparison.Ordinal));
        Assert.Contains("100% (2/2)", steady);
        Assert.DoesNotContain("FLAKY", steady);
        Assert.Contains("1 flaky experiment in the last 10 runs", rows);

        // Only the latest run in the window: nothing flakes there.
        var json = await SkeinProcess.RunAsync(dir.Path, "test", "history", "checks::flaky", "--last", "1", "--config", "test.yaml", "--state", state, "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using (var document = JsonDocument.Parse(json.Stdout))
        {
            var experiment = Assert.Single(document.RootElement.GetProperty("experiments").EnumerateArray());
            Assert.Equal("checks::flaky", experiment.GetProperty("id").GetString());
            Assert.Equal(1, experiment.GetProperty("runs").GetInt32());
            Assert.False(experiment.GetProperty("flaky").GetBoolean());
            Assert.Equal("nightly", document.RootElement.GetProperty("config").GetString());
        }

        var unknown = await SkeinProcess.RunAsync(dir.Path, "test", "history", "checks::flakey", "--state", state);
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Contains("no experiment or suite 'checks::flakey'", unknown.Stderr);
        Assert.Contains("did you mean 'checks::flaky'", unknown.Stderr);

        var plan = await SkeinProcess.RunAsync(dir.Path, "test", "plan", "--config", "test.yaml", "--state", state, "--markdown", "plan.md", "--csv", "plan.csv");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        var markdown = File.ReadAllText(dir.File("plan.md"));
        Assert.Contains("# Test plan: nightly", markdown);
        Assert.Contains("## REQ-1", markdown);
        Assert.Contains("## R2", markdown);
        Assert.Contains("| checks::steady | always passes |  | TC-1 | passed |", markdown);
        var csv = File.ReadAllLines(dir.File("plan.csv"));
        Assert.Contains(csv, l => l.StartsWith("REQ-1,checks::flaky,,,TC-2,passed,", StringComparison.Ordinal));
        Assert.Contains(csv, l => l.StartsWith("R2,checks::flaky,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_results_file_that_is_not_skeins_stops_the_run_before_anything_starts_and_is_kept()
    {
        using var dir = new TempDirectory();
        WriteSuite(dir);
        var state = dir.File("state");
        var notes = dir.Write("state/test/results.db", "my notes, not a database\n");

        var run = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--state", state, "--output", "none");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains($"{notes} is not a Skein test results database", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.False(File.Exists(dir.File("marker")), "nothing ran");
        Assert.Equal("my notes, not a database\n", File.ReadAllText(notes));

        var history = await SkeinProcess.RunAsync(dir.Path, "test", "history", "--state", state);
        Assert.True(history.ExitCode == 2, history.ToString());
        Assert.Contains("is not a Skein test results database", history.Stderr);
        Assert.Equal("my notes, not a database\n", File.ReadAllText(notes));
    }
}
