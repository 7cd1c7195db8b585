namespace Skein.Engine.Tests.FastPath;

/// <summary>The event stream: every task finishes exactly once, starts come before finishes, and it ends when the run does.</summary>
public class EventStreamTests
{
    [Fact]
    public async Task Starts_precede_finishes_and_every_task_finishes_once()
    {
        var job = new Job("events");
        for (var i = 0; i < 500; i++) job.Add($"t{i}", _ => null, i == 0 ? [] : [$"t{(i - 1) / 2}"]);
        var options = new RunOptions { Workers = 2, StateDirectory = FastPathRuns.TempDir(), ReportStarts = true };
        await using var run = await JobRun.StartAsync(job, options, TestContext.Current.CancellationToken);
        var events = new List<RunEvent>();
        await foreach (var e in run.ReadEventsAsync(TestContext.Current.CancellationToken)) events.Add(e);
        var summary = await run.Completion.WaitAsync(FastPathRuns.Patience, TestContext.Current.CancellationToken);

        Assert.Equal(500, summary.Count(Outcome.Passed));
        Assert.Equal(RunStatus.Passed, summary.Status);
        var started = new HashSet<string>();
        var finished = new HashSet<string>();
        foreach (var e in events)
        {
            switch (e)
            {
                case TaskStarted s:
                    Assert.True(started.Add(s.TaskId));
                    Assert.Equal(1, s.Attempt);
                    break;
                case TaskFinished f:
                    Assert.Contains(f.TaskId, started);
                    Assert.True(finished.Add(f.TaskId));
                    break;
            }
        }
        Assert.Equal(500, finished.Count);
    }

    [Fact]
    public async Task Retries_are_announced_before_the_final_result()
    {
        var attempts = 0;
        var job = new Job("retrying").Add(new TaskSpec
        {
            Id = "a",
            Retries = 1,
            Action = DelegateAction.From(_ => { if (Interlocked.Increment(ref attempts) == 1) throw new InvalidOperationException("first"); }),
        });
        await using var run = await JobRun.StartAsync(job, FastPathRuns.Options(), TestContext.Current.CancellationToken);
        var events = new List<RunEvent>();
        await foreach (var e in run.ReadEventsAsync(TestContext.Current.CancellationToken)) events.Add(e);
        Assert.Collection(events,
            e => Assert.Equal("InvalidOperationException: first", Assert.IsType<TaskRetrying>(e).Reason),
            e => Assert.Equal(2, Assert.IsType<TaskFinished>(e).Result.Attempts));
    }

    [Fact]
    public async Task Cancelling_a_busy_run_ends_every_task_once_and_the_stream()
    {
        var job = new Job("busy");
        for (var i = 0; i < 2_000; i++) job.Add($"t{i}", async (_, ct) => await Task.Delay(1, ct));
        await using var run = await JobRun.StartAsync(job, FastPathRuns.Options(), TestContext.Current.CancellationToken);
        var seen = new List<TaskResult>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in run.ReadEventsAsync(TestContext.Current.CancellationToken))
            {
                if (e is not TaskFinished f) continue;
                seen.Add(f.Result);
                if (seen.Count == 20) run.Cancel();
            }
        }, TestContext.Current.CancellationToken);
        await reading.WaitAsync(FastPathRuns.Patience, TestContext.Current.CancellationToken);
        var summary = await run.Completion;

        Assert.Equal(RunStatus.Cancelled, summary.Status);
        Assert.Equal(2_000, seen.Count);
        Assert.Equal(2_000, seen.Select(r => r.TaskId).Distinct().Count());
        Assert.Contains(seen, r => r.Outcome == Outcome.Cancelled);
        Assert.Equal(2_000, summary.Total);
    }

    [Fact]
    public async Task Stopping_to_read_early_cancels_the_run()
    {
        var job = new Job("early");
        for (var i = 0; i < 1_000; i++) job.Add($"t{i}", async (_, ct) => await Task.Delay(1, ct));
        var read = 0;
        await foreach (var result in JobRunner.RunAsync(job, FastPathRuns.Options(), TestContext.Current.CancellationToken))
        {
            if (++read == 5) break;
        }
        Assert.Equal(5, read);
    }

    [Fact]
    public async Task A_result_reaches_the_reader_while_the_next_task_still_runs()
    {
        // One worker runs "quick", then "blocking", which holds its thread until the reader has seen "quick": the
        // result must not wait for the worker to come back.
        using var seen = new ManualResetEventSlim();
        var job = new Job("latency")
            .Add("quick", _ => 1)
            .Add("blocking", _ => seen.Wait(FastPathRuns.Patience) ? "saw it" : "never saw it");
        var results = new List<TaskResult>();
        await foreach (var result in JobRunner.RunAsync(job, FastPathRuns.Options(workers: 1), TestContext.Current.CancellationToken))
        {
            results.Add(result);
            if (result.TaskId == "quick") seen.Set();
        }
        Assert.Equal("saw it", results.Single(r => r.TaskId == "blocking").Value);
    }
}
