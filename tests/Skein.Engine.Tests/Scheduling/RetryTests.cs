using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Scheduling;

public class RetryTests
{
    [Fact]
    public async Task A_task_that_fails_once_then_passes_is_passed_after_two_attempts()
    {
        var attempts = new List<int>();
        var job = new Job("flaky").Add(new TaskSpec
        {
            Id = "flaky",
            Retries = 3,
            Action = DelegateAction.From(ctx =>
            {
                lock (attempts) attempts.Add(ctx.Attempt);
                if (ctx.Attempt == 1) throw new IOException("connection reset");
                return "ok";
            }),
        });

        var options = Runs.Options();
        await using var run = await JobRun.StartAsync(job, new RunOptions { StateDirectory = options.StateDirectory, ReportStarts = true }, TestContext.Current.CancellationToken);
        var (events, summary) = await Runs.DrainWithinAsync(run);

        var result = Assert.Single(events.Results());
        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Equal(2, result.Attempts);
        Assert.Equal("ok", result.Value);
        Assert.Equal([1, 2], attempts);
        Assert.True(summary.Succeeded);

        Assert.Collection(events,
            e => Assert.Equal(new TaskStarted("flaky", 1, ((TaskStarted)e).At), e),
            e =>
            {
                var retrying = Assert.IsType<TaskRetrying>(e);
                Assert.Equal(1, retrying.FailedAttempt);
                Assert.Equal(Outcome.Failed, retrying.Outcome);
                Assert.Equal("IOException: connection reset", retrying.Reason);
            },
            e => Assert.Equal(2, Assert.IsType<TaskStarted>(e).Attempt),
            e => Assert.IsType<TaskFinished>(e));
    }

    [Fact]
    public async Task A_task_whose_retries_run_out_fails_after_retries_plus_one_attempts()
    {
        var job = new Job("hopeless").Add(new TaskSpec { Id = "hopeless", Retries = 2, Action = new CommandAction("echo \"try $SKEIN_ATTEMPT\"; exit 7") });

        await using var run = await JobRun.StartAsync(job, Runs.Options(), TestContext.Current.CancellationToken);
        var (events, _) = await Runs.DrainWithinAsync(run);

        var result = Assert.Single(events.Results());
        Assert.Equal(Outcome.Failed, result.Outcome);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(7, result.ExitCode);
        Assert.Equal("exit code 7: try 3", result.Reason);
        Assert.Equal([1, 2], events.OfType<TaskRetrying>().Select(r => r.FailedAttempt));
        Assert.All(events.OfType<TaskRetrying>(), r => Assert.Equal(Outcome.Failed, r.Outcome));
        // Each attempt keeps its own log; the result points at the last one.
        Assert.EndsWith("hopeless.3.log", result.LogPath);
        Assert.Equal("try 1", File.ReadAllText(result.LogPath!.Replace(".3.log", ".1.log", StringComparison.Ordinal)).Trim());
    }

    [Fact]
    public async Task A_command_can_pass_on_a_later_attempt()
    {
        var job = new Job("eventually").Add(new TaskSpec { Id = "eventually", Retries = 5, Action = new CommandAction("[ \"$SKEIN_ATTEMPT\" -ge 3 ]") });

        var result = Assert.Single(await Runs.CollectWithinAsync(job));

        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Equal(3, result.Attempts);
    }

    [Fact]
    public async Task Dependents_wait_for_the_last_attempt()
    {
        var job = new Job("wait-for-retries")
            .Add(new TaskSpec { Id = "flaky", Retries = 1, Action = DelegateAction.From(ctx => ctx.Attempt == 1 ? throw new InvalidOperationException("first") : ctx.Attempt) })
            .Add("next", ctx => ctx.GetResult<int>("flaky"), "flaky");

        var results = await Runs.ResultsByIdAsync(job);

        Assert.Equal(Outcome.Passed, results["next"].Outcome);
        Assert.Equal(2, results["next"].Value);
    }

    [Fact]
    public async Task A_task_without_retries_runs_once()
    {
        var runs = 0;
        var job = new Job("once").Add("once", _ => Interlocked.Increment(ref runs) > 0 ? throw new InvalidOperationException("no") : 0);

        var result = Assert.Single(await Runs.CollectWithinAsync(job));

        Assert.Equal(Outcome.Failed, result.Outcome);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(1, runs);
    }
}
