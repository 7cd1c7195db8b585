using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Execution;

/// <summary>Retries that wait: the delay grows by the backoff, comes from the run's clock, and cancelling ends it.</summary>
public class RetryDelayTests
{
    private static RunOptions Options(TimeProvider time) => new() { StateDirectory = Runs.TempDir(), TimeProvider = time, ReportStarts = true };

    /// <summary>A C# task that fails until its attempt number reaches <paramref name="passOn"/>.</summary>
    private static TaskSpec Flaky(string id, int retries, TimeSpan delay, RetryBackoff backoff, int passOn, List<int> attempts) => new()
    {
        Id = id,
        Retries = retries,
        RetryDelay = delay,
        RetryBackoff = backoff,
        Action = DelegateAction.From(ctx =>
        {
            lock (attempts) attempts.Add(ctx.Attempt);
            return ctx.Attempt < passOn ? throw new IOException($"attempt {ctx.Attempt} failed") : ctx.Attempt;
        }),
    };

    /// <summary>Reads the run's events one at a time, so the test can act between them.</summary>
    private static async Task<T> NextAsync<T>(IAsyncEnumerator<RunEvent> events) where T : RunEvent
    {
        while (await events.MoveNextAsync().AsTask().Within())
        {
            if (events.Current is T wanted) return wanted;
        }
        throw new Xunit.Sdk.XunitException($"the run ended without a {typeof(T).Name}");
    }

    [Fact]
    public async Task A_constant_delay_holds_each_retry_until_the_run_clock_has_moved_on_by_it()
    {
        var time = new ObservedTimeProvider();
        var attempts = new List<int>();
        var delay = TimeSpan.FromSeconds(10);
        var job = new Job("constant").Add(Flaky("flaky", retries: 2, delay, RetryBackoff.Constant, passOn: 3, attempts));

        await using var run = await JobRun.StartAsync(job, Options(time), TestContext.Current.CancellationToken);
        await using var events = run.ReadEventsAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        for (var failed = 1; failed <= 2; failed++)
        {
            var retrying = await NextAsync<TaskRetrying>(events);
            Assert.Equal(failed, retrying.FailedAttempt);
            // Constant, with ±25% jitter.
            Assert.InRange(retrying.Delay, delay * 0.75, delay * 1.25);
            await time.TimerSetAsync(retrying.Delay);

            time.Advance(retrying.Delay - TimeSpan.FromMilliseconds(1));
            lock (attempts) Assert.Equal(failed, attempts.Count);
            time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(failed + 1, (await NextAsync<TaskStarted>(events)).Attempt);
        }
        var result = (await NextAsync<TaskFinished>(events)).Result;

        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(3, result.Value);
        Assert.Equal([1, 2, 3], attempts);
        Assert.True((await run.Completion.Within()).Succeeded);
    }

    [Fact]
    public async Task A_linear_delay_grows_by_the_delay_with_each_retry()
    {
        var time = new ObservedTimeProvider();
        var delay = TimeSpan.FromSeconds(4);
        var job = new Job("linear").Add(Flaky("flaky", retries: 2, delay, RetryBackoff.Linear, passOn: 3, []));

        await using var run = await JobRun.StartAsync(job, Options(time), TestContext.Current.CancellationToken);
        await using var events = run.ReadEventsAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        var first = await NextAsync<TaskRetrying>(events);
        await time.TimerSetAsync(first.Delay);
        time.Advance(first.Delay);
        var second = await NextAsync<TaskRetrying>(events);
        await time.TimerSetAsync(second.Delay);
        time.Advance(second.Delay);

        Assert.InRange(first.Delay, delay * 0.75, delay * 1.25);
        Assert.InRange(second.Delay, delay * 2 * 0.75, delay * 2 * 1.25);
        Assert.Equal(Outcome.Passed, (await NextAsync<TaskFinished>(events)).Result.Outcome);
    }

    [Fact]
    public async Task The_default_backoff_is_exponential_and_its_delays_come_from_the_run_clock()
    {
        var time = new ObservedTimeProvider();
        var job = new Job("exponential").Add(new TaskSpec
        {
            Id = "flaky",
            Retries = 1,
            RetryDelay = TimeSpan.FromSeconds(1),
            Action = DelegateAction.From(ctx => ctx.Attempt == 1 ? throw new IOException("first") : 1),
        });
        Assert.Equal(RetryBackoff.Exponential, job.Tasks[0].RetryBackoff);

        await using var run = await JobRun.StartAsync(job, Options(time), TestContext.Current.CancellationToken);
        await using var events = run.ReadEventsAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        var retrying = await NextAsync<TaskRetrying>(events);
        Assert.True(retrying.Delay > TimeSpan.Zero);
        await time.TimerSetAsync(retrying.Delay);
        time.Advance(retrying.Delay);

        var result = (await NextAsync<TaskFinished>(events)).Result;
        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public async Task Cancelling_the_run_during_a_delay_cancels_the_task_at_once()
    {
        var time = new ObservedTimeProvider();
        var attempts = new List<int>();
        var job = new Job("cancel-in-delay")
            .Add(Flaky("flaky", retries: 3, TimeSpan.FromHours(1), RetryBackoff.Constant, passOn: 99, attempts))
            .Add("after", _ => 1, "flaky");

        await using var run = await JobRun.StartAsync(job, Options(time), TestContext.Current.CancellationToken);
        await using var events = run.ReadEventsAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        var retrying = await NextAsync<TaskRetrying>(events);
        await time.TimerSetAsync(retrying.Delay);
        run.Cancel();
        var results = new Dictionary<string, TaskResult>();
        while (results.Count < 2)
        {
            var finished = (await NextAsync<TaskFinished>(events)).Result;
            results[finished.TaskId] = finished;
        }

        Assert.Equal(Outcome.Cancelled, results["flaky"].Outcome);
        Assert.Equal(1, results["flaky"].Attempts);
        Assert.Equal("cancelled while waiting to retry (attempt 1 failed: IOException: attempt 1 failed)", results["flaky"].Reason);
        Assert.Equal(Outcome.Cancelled, results["after"].Outcome);
        Assert.Equal([1], attempts);
        Assert.Equal(RunStatus.Cancelled, (await run.Completion.Within()).Status);
    }

    [Fact]
    public async Task Cancelling_the_run_during_an_attempt_is_not_followed_by_a_delayed_retry()
    {
        var started = Runs.NewSignal();
        var attempts = 0;
        var job = new Job("cancel-in-attempt").Add(new TaskSpec
        {
            Id = "waits",
            Retries = 3,
            RetryDelay = TimeSpan.FromHours(1),
            Action = DelegateAction.From(async (_, ct) =>
            {
                Interlocked.Increment(ref attempts);
                started.TrySetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }),
        });

        await using var run = await JobRun.StartAsync(job, Options(new ObservedTimeProvider()), TestContext.Current.CancellationToken);
        await started.Task.Within();
        run.Cancel();
        var (events, _) = await Runs.DrainWithinAsync(run);

        var result = Assert.Single(events.Results());
        Assert.Equal(Outcome.Cancelled, result.Outcome);
        Assert.Equal("cancelled while running", result.Reason);
        Assert.Equal(1, result.Attempts);
        Assert.Empty(events.OfType<TaskRetrying>());
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task A_task_added_while_running_with_a_bad_retry_delay_is_refused()
    {
        string? refused = null;
        var job = new Job("adds").AddAction("adder", ctx =>
        {
            try
            {
                ctx.AddTasks(new TaskSpec { Id = "late", Retries = 1, RetryDelay = TimeSpan.FromDays(2), Action = DelegateAction.From(_ => 1) });
            }
            catch (JobValidationException e)
            {
                refused = e.Message;
            }
        });

        await Runs.CollectWithinAsync(job);

        Assert.Contains("task 'late' has a retry delay of", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_delay_a_retry_starts_at_once_and_sets_no_timer()
    {
        var time = new ObservedTimeProvider();
        var job = new Job("at-once").Add(Flaky("flaky", retries: 1, TimeSpan.Zero, RetryBackoff.Exponential, passOn: 2, []));

        var (events, _) = await Runs.DrainWithinAsync(await JobRun.StartAsync(job, Options(time), TestContext.Current.CancellationToken));

        Assert.Equal(TimeSpan.Zero, Assert.Single(events.OfType<TaskRetrying>()).Delay);
        Assert.Equal(2, Assert.Single(events.Results()).Attempts);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(25 * 3600)]
    public async Task A_retry_delay_out_of_range_is_refused_before_anything_runs(int seconds)
    {
        var job = new Job("bad").Add(new TaskSpec { Id = "t", Retries = 1, RetryDelay = TimeSpan.FromSeconds(seconds), Action = DelegateAction.From(_ => 1) });

        var error = await Assert.ThrowsAsync<JobValidationException>(() => JobRun.StartAsync(job, Runs.Options(), TestContext.Current.CancellationToken));

        Assert.Contains("task 't' has a retry delay of", error.Message, StringComparison.Ordinal);
    }
}
