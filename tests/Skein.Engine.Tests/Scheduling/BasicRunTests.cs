namespace Skein.Engine.Tests.Scheduling;

public class BasicRunTests
{
    private static async Task<List<TaskResult>> RunAll(Job job, RunOptions? options = null)
    {
        var results = new List<TaskResult>();
        await foreach (var r in JobRunner.RunAsync(job, options ?? new RunOptions { StateDirectory = TempDir() }, TestContext.Current.CancellationToken)) results.Add(r);
        return results;
    }

    internal static string TempDir() => Path.Combine(Path.GetTempPath(), "skein-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Dependents_read_values_of_their_dependencies()
    {
        var job = new Job("values")
            .Add("a", _ => 20)
            .Add("b", _ => 22)
            .Add("sum", ctx => ctx.GetResult<int>("a") + ctx.GetResult<int>("b"), "a", "b");
        var results = await RunAll(job);
        Assert.Equal(3, results.Count);
        Assert.Equal(42, results.Single(r => r.TaskId == "sum").Value);
        Assert.Equal("sum", results[^1].TaskId);
    }

    [Fact]
    public async Task Failure_skips_dependents_transitively_naming_what_they_waited_for()
    {
        var job = new Job("skip")
            .Add("a", (Func<TaskContext, object?>)(_ => throw new InvalidOperationException("boom")))
            .Add("b", _ => 1, "a")
            .Add("c", _ => 1, "b")
            .Add("d", _ => 1);
        var results = (await RunAll(job)).ToDictionary(r => r.TaskId);
        Assert.Equal(Outcome.Failed, results["a"].Outcome);
        Assert.Contains("boom", results["a"].Reason);
        Assert.Equal(Outcome.Skipped, results["b"].Outcome);
        Assert.Equal("needs 'a', which failed", results["b"].Reason);
        Assert.Equal(Outcome.Skipped, results["c"].Outcome);
        Assert.Contains("needs 'b', which was skipped", results["c"].Reason);
        Assert.Contains("'a' failed", results["c"].Reason);
        Assert.Equal(Outcome.Passed, results["d"].Outcome);
    }

    [Fact]
    public async Task Command_tasks_run_and_report_sub_results()
    {
        var job = new Job("cmd")
            .AddCommand("ok", "echo hello; echo '::result name=case1 outcome=passed'; echo '::result name=case2 outcome=warned message=\"slow\"'")
            .AddCommand("bad", "echo nope >&2; exit 3");
        var results = (await RunAll(job)).ToDictionary(r => r.TaskId);
        Assert.Equal(Outcome.Warned, results["ok"].Outcome);
        Assert.Equal(2, results["ok"].SubResults.Count);
        Assert.Equal("slow", results["ok"].SubResults[1].Message);
        Assert.Equal(Outcome.Failed, results["bad"].Outcome);
        Assert.Equal(3, results["bad"].ExitCode);
        Assert.Contains("nope", File.ReadAllText(results["bad"].LogPath!));
    }
}
