using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Scheduling;

public class StreamingTests
{
    [Fact]
    public async Task Results_stream_out_as_tasks_finish()
    {
        var releaseSlow = Runs.NewSignal();
        var slowFinished = false;
        var job = new Job("stream")
            .Add("slow", async (_, ct) =>
            {
                await releaseSlow.Task.WaitAsync(Runs.Patience, ct);
                slowFinished = true;
            })
            .Add("fast", _ => "done");

        var seen = new List<string>();
        var consume = Task.Run(async () =>
        {
            await foreach (var result in JobRunner.RunAsync(job, Runs.Options(workers: 2), TestContext.Current.CancellationToken))
            {
                seen.Add(result.TaskId);
                // The slow task only finishes once the consumer has seen the fast one: results cannot wait for the end.
                if (result.TaskId == "fast")
                {
                    Assert.False(slowFinished);
                    releaseSlow.TrySetResult();
                }
            }
        }, TestContext.Current.CancellationToken);
        await consume.Within();

        Assert.Equal(["fast", "slow"], seen);
    }

    [Fact]
    public async Task Started_events_come_before_the_task_finishes_when_asked_for()
    {
        var release = Runs.NewSignal();
        var job = new Job("starts").Add("long", async (_, ct) => await release.Task.WaitAsync(Runs.Patience, ct));
        var options = new RunOptions { StateDirectory = Runs.TempDir(), ReportStarts = true };

        await using var run = await JobRun.StartAsync(job, options, TestContext.Current.CancellationToken);
        var events = new List<RunEvent>();
        await foreach (var e in run.ReadEventsAsync(TestContext.Current.CancellationToken).WithCancellation(TestContext.Current.CancellationToken))
        {
            events.Add(e);
            if (e is TaskStarted) release.TrySetResult();
        }

        Assert.Collection(events,
            e => Assert.Equal(1, Assert.IsType<TaskStarted>(e).Attempt),
            e => Assert.Equal(Outcome.Passed, Assert.IsType<TaskFinished>(e).Result.Outcome));
    }

    [Fact]
    public async Task Without_reporting_starts_only_finished_events_are_written()
    {
        var job = new Job("quiet").Add("a", _ => 1).Add("b", _ => 2, "a");

        await using var run = await JobRun.StartAsync(job, Runs.Options(), TestContext.Current.CancellationToken);
        var (events, _) = await Runs.DrainWithinAsync(run);

        Assert.All(events, e => Assert.IsType<TaskFinished>(e));
        Assert.Equal(["a", "b"], events.Select(e => e.TaskId));
    }
}
