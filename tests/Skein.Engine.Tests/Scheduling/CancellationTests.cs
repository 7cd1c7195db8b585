using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Scheduling;

public class CancellationTests
{
    private static void AssertOneOutcomeEach(IReadOnlyCollection<TaskResult> results, params string[] ids)
    {
        Assert.Equal(ids.Length, results.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), results.Select(r => r.TaskId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Cancel_stops_running_tasks_and_records_every_unstarted_one_as_cancelled()
    {
        var dir = Runs.TempDir();
        var fifo = Path.Combine(dir, "started");
        Processes.MakeFifo(fifo);
        var csharpStarted = Runs.NewSignal();
        var ranAfterCancel = 0;
        var job = new Job("cancel").AddGroup("serial", 1);
        job.Add(new TaskSpec
        {
            Id = "csharp",
            Claims = ["db"],
            Action = DelegateAction.From(async (_, ct) =>
            {
                csharpStarted.TrySetResult();
                await new TaskCompletionSource().Task.WaitAsync(ct);
            }),
        });
        job.AddCommand("command", $"echo $$ > {Processes.Quote(fifo)}; exec sleep 30");
        job.AddAction("needs-csharp", _ => Interlocked.Increment(ref ranAfterCancel), "csharp");
        job.AddAction("after-that", _ => Interlocked.Increment(ref ranAfterCancel), "needs-csharp");
        job.AddAction("waits-for-a-worker", _ => Interlocked.Increment(ref ranAfterCancel));
        job.Add(new TaskSpec { Id = "parked-on-db", Uses = ["db"], Group = "serial", Action = DelegateAction.From(_ => Interlocked.Increment(ref ranAfterCancel)) });

        await using var run = await JobRun.StartAsync(job, new RunOptions { Workers = 2, StateDirectory = dir }, TestContext.Current.CancellationToken);
        var pid = int.Parse(await Processes.ReadFifoAsync(fifo).Within(), CultureInfo.InvariantCulture);
        await csharpStarted.Task.Within();
        run.Cancel();
        var (events, summary) = await Runs.DrainWithinAsync(run);
        var results = events.Results();
        var byId = results.ToDictionary(r => r.TaskId);

        AssertOneOutcomeEach(results, "csharp", "command", "needs-csharp", "after-that", "waits-for-a-worker", "parked-on-db");
        Assert.All(results, r => Assert.Equal(Outcome.Cancelled, r.Outcome));
        Assert.Equal("cancelled while running", byId["csharp"].Reason);
        Assert.Equal("cancelled while running", byId["command"].Reason);
        Assert.Equal(1, byId["command"].Attempts);
        foreach (var id in new[] { "needs-csharp", "after-that", "waits-for-a-worker", "parked-on-db" })
        {
            Assert.Equal("the run was cancelled before it started", byId[id].Reason);
            Assert.Equal(0, byId[id].Attempts);
        }
        Assert.Equal(0, ranAfterCancel);
        Assert.Equal(RunStatus.Cancelled, summary.Status);
        Assert.Equal(6, summary.Count(Outcome.Cancelled));
        Assert.True(Processes.IsGone(pid) || await Processes.WaitGoneAsync(pid, Runs.Patience), $"command {pid} survived the cancel");
    }

    [Fact]
    public async Task A_task_that_passes_despite_the_cancel_keeps_its_outcome()
    {
        var started = Runs.NewSignal();
        var cancelled = Runs.NewSignal();
        var job = new Job("finishes-anyway")
            .Add("careful", async (_, ct) =>
            {
                started.TrySetResult();
                await cancelled.Task.Within();
            })
            .Add("next", _ => 1, "careful");

        await using var run = await JobRun.StartAsync(job, Runs.Options(), TestContext.Current.CancellationToken);
        await started.Task.Within();
        run.Cancel();
        cancelled.TrySetResult();
        var (events, summary) = await Runs.DrainWithinAsync(run);
        var byId = events.Results().ToDictionary(r => r.TaskId);

        Assert.Equal(2, byId.Count);
        Assert.Equal(Outcome.Passed, byId["careful"].Outcome);
        Assert.Equal(Outcome.Cancelled, byId["next"].Outcome);
        Assert.Equal(RunStatus.Cancelled, summary.Status);
    }

    [Fact]
    public async Task A_cancelled_task_is_not_retried()
    {
        var attempts = 0;
        var started = Runs.NewSignal();
        var job = new Job("no-retry").Add(new TaskSpec
        {
            Id = "retrying",
            Retries = 5,
            Action = DelegateAction.From(async (_, ct) =>
            {
                Interlocked.Increment(ref attempts);
                started.TrySetResult();
                await new TaskCompletionSource().Task.WaitAsync(ct);
            }),
        });

        await using var run = await JobRun.StartAsync(job, Runs.Options(), TestContext.Current.CancellationToken);
        await started.Task.Within();
        run.Cancel();
        var (events, _) = await Runs.DrainWithinAsync(run);

        Assert.Equal(Outcome.Cancelled, Assert.Single(events.Results()).Outcome);
        Assert.Empty(events.OfType<TaskRetrying>());
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task Cancel_gives_up_on_a_csharp_task_that_ignores_its_token_after_the_abandon_grace()
    {
        var time = new FakeTimeProvider();
        var started = Runs.NewSignal();
        var deaf = Runs.NewSignal();
        var job = new Job("deaf-to-cancel")
            .Add("deaf", async (_, _) =>
            {
                started.TrySetResult();
                await deaf.Task;
            })
            .Add("next", _ => 1, "deaf");
        var options = new RunOptions { StateDirectory = Runs.TempDir(), TimeProvider = time, AbandonGrace = TimeSpan.FromSeconds(3) };

        await using var run = await JobRun.StartAsync(job, options, TestContext.Current.CancellationToken);
        List<RunEvent> events;
        try
        {
            await started.Task.Within();
            run.Cancel();
            time.Advance(TimeSpan.FromSeconds(3));
            (events, _) = await Runs.DrainWithinAsync(run);
        }
        finally
        {
            deaf.TrySetResult();
        }
        var byId = events.Results().ToDictionary(r => r.TaskId);

        Assert.Equal(2, byId.Count);
        Assert.Equal(Outcome.Cancelled, byId["deaf"].Outcome);
        Assert.Equal("cancelled while running and did not stop within 3s; abandoned", byId["deaf"].Reason);
        Assert.Equal(Outcome.Cancelled, byId["next"].Outcome);
    }

    [Fact]
    public async Task Stopping_the_result_stream_early_cancels_the_run()
    {
        var dir = Runs.TempDir();
        var fifo = Path.Combine(dir, "started");
        Processes.MakeFifo(fifo);
        var laterStarted = false;
        var job = new Job("stop-early")
            // Reads the command's pid as soon as the command runs, and finishes with it.
            .Add("watcher", async (_, ct) => int.Parse(await Processes.ReadFifoAsync(fifo).WaitAsync(Runs.Patience, ct), CultureInfo.InvariantCulture))
            .Add(new TaskSpec { Id = "server", Uses = ["port"], Action = new CommandAction($"sleep 300 & echo $! > {Processes.Quote(fifo)}; wait") })
            // Ready from the start, but kept out by the server's use of the port until the server ends.
            .Add(new TaskSpec { Id = "later", Claims = ["port"], Action = DelegateAction.From(_ => { laterStarted = true; }) });

        int? pid = null;
        await foreach (var result in JobRunner.RunAsync(job, new RunOptions { Workers = 3, StateDirectory = dir }, TestContext.Current.CancellationToken)
                           .WithCancellation(TestContext.Current.CancellationToken))
        {
            Assert.Equal("watcher", result.TaskId);
            pid = (int)result.Value!;
            break;
        }

        // Leaving the loop disposed the enumerator, which cancelled the run and waited for it.
        Assert.NotNull(pid);
        Assert.True(Processes.IsGone(pid.Value) || await Processes.WaitGoneAsync(pid.Value, Runs.Patience), $"the server's child {pid} survived");
        Assert.False(laterStarted);
    }

    [Fact]
    public async Task Cancelling_the_callers_token_cancels_the_run_and_still_yields_every_result()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var job = new Job("caller-cancels")
            .Add("first", _ => 1)
            .Add("hangs", async (_, ct) => await new TaskCompletionSource().Task.WaitAsync(ct), "first")
            .Add("after", _ => 1, "hangs");

        var results = new List<TaskResult>();
        await foreach (var r in JobRunner.RunAsync(job, Runs.Options(), cts.Token))
        {
            results.Add(r);
            if (r.TaskId == "first") await cts.CancelAsync();
        }

        var byId = results.ToDictionary(r => r.TaskId);
        Assert.Equal(3, byId.Count);
        Assert.Equal(Outcome.Passed, byId["first"].Outcome);
        Assert.Equal(Outcome.Cancelled, byId["hangs"].Outcome);
        Assert.Equal(Outcome.Cancelled, byId["after"].Outcome);
    }

    [Fact]
    public async Task Cancelling_a_finished_run_changes_nothing_even_after_it_was_disposed()
    {
        var run = await JobRun.StartAsync(new Job("done").Add("a", _ => 1), Runs.Options(), TestContext.Current.CancellationToken);
        var (_, summary) = await Runs.DrainWithinAsync(run);

        run.Cancel();
        await run.DisposeAsync();
        run.Cancel();

        Assert.Equal(RunStatus.Passed, summary.Status);
        Assert.Equal(RunStatus.Passed, (await run.Completion).Status);
    }
}
