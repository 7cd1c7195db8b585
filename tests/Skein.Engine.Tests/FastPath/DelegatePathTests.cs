namespace Skein.Engine.Tests.FastPath;

/// <summary>C# tasks that finish at once and tasks that truly await take different paths; both must give the same results.</summary>
public class DelegatePathTests
{
    [Fact]
    public async Task Synchronous_and_asynchronous_bodies_return_their_values()
    {
        var job = new Job("values")
            .Add("sync", _ => 20)
            .Add("async", async (_, ct) => { await Task.Delay(5, ct); })
            .Add(new TaskSpec { Id = "asyncValue", Action = DelegateAction.From<int>(async (_, ct) => { await Task.Yield(); return 22; }) })
            .Add("sum", ctx => ctx.GetResult<int>("sync") + ctx.GetResult<int>("asyncValue"), "sync", "asyncValue", "async");
        var results = await FastPathRuns.ByIdAsync(job);
        Assert.All(results.Values, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Equal(42, results["sum"].Value);
        Assert.All(results.Values, r => Assert.Equal(1, r.Attempts));
        Assert.All(results.Values, r => Assert.NotNull(r.StartedAt));
    }

    [Fact]
    public async Task A_faulted_asynchronous_body_fails_its_task()
    {
        var job = new Job("faulted").Add("a", async (_, _) => { await Task.Yield(); throw new InvalidOperationException("late"); });
        var results = await FastPathRuns.ByIdAsync(job);
        Assert.Equal(Outcome.Failed, results["a"].Outcome);
        Assert.Equal("InvalidOperationException: late", results["a"].Reason);
    }

    [Fact]
    public async Task Sub_results_decide_the_outcome_of_a_synchronous_task()
    {
        var job = new Job("subs").Add("a", ctx => { ctx.Report("one", Outcome.Passed); ctx.Report("two", Outcome.Failed, "broken"); return null; });
        var results = await FastPathRuns.ByIdAsync(job);
        Assert.Equal(Outcome.Failed, results["a"].Outcome);
        Assert.Equal("two failed: broken", results["a"].Reason);
        Assert.Equal(2, results["a"].SubResults.Count);
    }

    [Fact]
    public async Task A_delegate_ignoring_its_timeout_is_abandoned_and_timed_out()
    {
        var job = new Job("stuck").Add(new TaskSpec
        {
            Id = "a",
            Timeout = TimeSpan.FromMilliseconds(50),
            Action = DelegateAction.From(async (_, _) => await Task.Delay(TimeSpan.FromSeconds(30), CancellationToken.None)),
        });
        var options = new RunOptions { Workers = 1, StateDirectory = FastPathRuns.TempDir(), AbandonGrace = TimeSpan.FromMilliseconds(50) };
        var results = await FastPathRuns.ByIdAsync(job, options);
        Assert.Equal(Outcome.TimedOut, results["a"].Outcome);
        Assert.Contains("abandoned", results["a"].Reason);
    }

    [Fact]
    public async Task Many_no_op_tasks_all_finish_once()
    {
        const int count = 20_000;
        var job = new Job("many");
        for (var i = 0; i < count; i++) job.Add(new TaskSpec { Id = $"t{i}", Action = new DelegateAction((_, _) => default) });
        var results = await FastPathRuns.CollectAsync(job, FastPathRuns.Options(workers: 4));
        Assert.Equal(count, results.Count);
        Assert.Equal(count, results.Select(r => r.TaskId).Distinct().Count());
        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));
    }
}
