using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Scheduling;

public class SubResultTests
{
    [Fact]
    public async Task Result_lines_become_sub_results_and_the_worst_decides_the_outcome()
    {
        var job = new Job("suite").AddCommand("suite", """
            echo '::result name=login outcome=passed'
            echo '::result name=logout outcome=failed message="expected 200, got 500"'
            echo '::result name=upload outcome=warned message="slow: 3s"'
            echo done
            """);

        var result = Assert.Single(await Runs.CollectWithinAsync(job));

        Assert.Equal(Outcome.Failed, result.Outcome);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("logout failed: expected 200, got 500", result.Reason);
        Assert.Equal(
            [new SubResult("login", Outcome.Passed), new SubResult("logout", Outcome.Failed, "expected 200, got 500"), new SubResult("upload", Outcome.Warned, "slow: 3s")],
            result.SubResults);
    }

    [Fact]
    public async Task A_result_message_may_hold_escaped_quotes_and_spaces()
    {
        var job = new Job("quotes").AddCommand("suite", "echo '::result name=greeting outcome=warned message=\"said \\\"hi\\\" twice\"'");

        var result = Assert.Single(await Runs.CollectWithinAsync(job));

        Assert.Equal(new SubResult("greeting", Outcome.Warned, "said \"hi\" twice"), Assert.Single(result.SubResults));
    }

    [Fact]
    public async Task A_skipped_sub_result_does_not_make_the_task_worse()
    {
        var job = new Job("skips").AddCommand("suite", "echo '::result name=a outcome=passed'; echo '::result name=b outcome=skipped message=\"needs a GPU\"'");

        var result = Assert.Single(await Runs.CollectWithinAsync(job));

        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Equal(Outcome.Skipped, result.SubResults[1].Outcome);
    }

    [Fact]
    public async Task A_failing_exit_code_fails_the_task_even_when_every_sub_result_passed()
    {
        var job = new Job("exit").AddCommand("suite", "echo '::result name=a outcome=passed'; exit 2");

        var result = Assert.Single(await Runs.CollectWithinAsync(job));

        Assert.Equal(Outcome.Failed, result.Outcome);
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.SubResults);
    }

    [Theory]
    [InlineData("::result outcome=passed", "result line without name=")]
    [InlineData("::result name=a outcome=great", "result line for 'a' has outcome 'great'")]
    [InlineData("::result name=a outcome=passed message=\"unterminated", "malformed result line (unterminated quote)")]
    [InlineData("::result garbage", "malformed result line (expected key=value")]
    public async Task A_malformed_result_line_becomes_an_errored_sub_result(string line, string expected)
    {
        var job = new Job("malformed").AddCommand("suite", $"echo '::result name=fine outcome=passed'; echo {Processes.Quote(line)}");

        var result = Assert.Single(await Runs.CollectWithinAsync(job));

        Assert.Equal(Outcome.Errored, result.Outcome);
        Assert.Equal(2, result.SubResults.Count);
        var bad = result.SubResults[1];
        Assert.Equal(Outcome.Errored, bad.Outcome);
        Assert.StartsWith(expected, bad.Message);
        Assert.Contains(expected, result.Reason);
    }

    [Fact]
    public async Task Result_lines_past_the_bound_are_ignored_and_said_once_as_an_errored_result_and_in_the_log()
    {
        var job = new Job("many").AddCommand("suite", "for i in $(seq 1 10005); do echo \"::result name=r$i outcome=passed\"; done");

        var result = Assert.Single(await Runs.CollectWithinAsync(job));

        Assert.Equal(CommandOutput.MaxResults + 1, result.SubResults.Count);
        Assert.Equal("r10000", result.SubResults[CommandOutput.MaxResults - 1].Name);
        var bound = result.SubResults[^1];
        Assert.Equal(Outcome.Errored, bound.Outcome);
        Assert.Equal("more than 10,000 ::result lines: the ones after the 10,000th were ignored", bound.Message);
        Assert.Equal(Outcome.Errored, result.Outcome);
        Assert.Contains("more than 10,000 ::result lines", result.Reason);
        var log = File.ReadAllText(result.LogPath!);
        Assert.Contains("skein: more than 10,000 ::result lines", log);
        // The lines past the bound are still in the log: only their results were dropped.
        Assert.Contains("::result name=r10005 outcome=passed", log);
    }

    [Fact]
    public async Task Result_lines_on_stderr_are_only_logged()
    {
        var job = new Job("stderr").AddCommand("suite", "echo '::result name=a outcome=failed' >&2");

        var result = Assert.Single(await Runs.CollectWithinAsync(job));

        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Empty(result.SubResults);
        Assert.Contains("::result name=a outcome=failed", File.ReadAllText(result.LogPath!));
    }

    [Fact]
    public async Task A_csharp_task_reports_sub_results_through_its_context()
    {
        var job = new Job("csharp")
            .Add("checks", ctx =>
            {
                ctx.Report("schema", Outcome.Passed);
                ctx.Report("latency", Outcome.Warned, "p99 120ms");
                ctx.Report("gpu", Outcome.Skipped, "no GPU");
                return 5;
            })
            .Add("broken-checks", ctx =>
            {
                ctx.Report("a", Outcome.Passed);
                ctx.Report("b", Outcome.TimedOut, "took too long");
                return 0;
            })
            .Add("after", _ => 1, "checks");

        var results = await Runs.ResultsByIdAsync(job);

        Assert.Equal(Outcome.Warned, results["checks"].Outcome);
        Assert.Equal(5, results["checks"].Value);
        Assert.Equal(["schema", "latency", "gpu"], results["checks"].SubResults.Select(s => s.Name));
        Assert.Equal(Outcome.Passed, results["after"].Outcome); // warned lets dependents run
        Assert.Equal(Outcome.TimedOut, results["broken-checks"].Outcome);
        Assert.Equal("b timed-out: took too long", results["broken-checks"].Reason);
    }

    [Fact]
    public async Task The_reason_names_the_sub_result_that_decided_the_outcome_not_the_first_bad_one()
    {
        var job = new Job("decisive")
            .AddCommand("passing-exit", """
                echo '::result name=first outcome=failed message="1 != 2"'
                echo '::result name=second outcome=errored message="no database"'
                echo '::result name=third outcome=failed'
                """)
            .AddCommand("failing-exit", """
                echo '::result name=a outcome=failed'
                echo '::result name=b outcome=errored message="crashed"'
                echo 'last words'; exit 1
                """);

        var results = await Runs.ResultsByIdAsync(job);

        Assert.Equal(Outcome.Errored, results["passing-exit"].Outcome);
        Assert.Equal("second errored: no database", results["passing-exit"].Reason);
        Assert.Equal(Outcome.Errored, results["failing-exit"].Outcome);
        Assert.Equal("b errored: crashed; exit code 1: last words", results["failing-exit"].Reason);
    }
}
