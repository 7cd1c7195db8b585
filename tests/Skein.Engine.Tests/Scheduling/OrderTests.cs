using System.Collections.Concurrent;
using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Scheduling;

public class OrderTests
{
    private static TaskSpec Recorded(string id, ConcurrentQueue<string> starts, int priority = 0, params string[] needs) =>
        new() { Id = id, Priority = priority, Needs = needs, Action = DelegateAction.From(_ => starts.Enqueue(id)) };

    [Fact]
    public async Task With_one_worker_higher_priority_starts_first_and_ties_keep_job_order()
    {
        var starts = new ConcurrentQueue<string>();
        var job = new Job("priorities")
            .Add(Recorded("low-1", starts, priority: -1))
            .Add(Recorded("normal-1", starts))
            .Add(Recorded("urgent-1", starts, priority: 10))
            .Add(Recorded("normal-2", starts))
            .Add(Recorded("high", starts, priority: 5))
            .Add(Recorded("urgent-2", starts, priority: 10))
            .Add(Recorded("low-2", starts, priority: -1));

        await Runs.CollectWithinAsync(job, Runs.Options(workers: 1));

        Assert.Equal(["urgent-1", "urgent-2", "high", "normal-1", "normal-2", "low-1", "low-2"], starts);
    }

    [Fact]
    public async Task Priority_orders_tasks_that_become_ready_together()
    {
        var starts = new ConcurrentQueue<string>();
        var job = new Job("priorities-after-a-need")
            .Add(Recorded("setup", starts))
            .Add(Recorded("b", starts, 0, "setup"))
            .Add(Recorded("c", starts, 3, "setup"))
            .Add(Recorded("a", starts, -3));

        await Runs.CollectWithinAsync(job, Runs.Options(workers: 1));

        // "a" is ready from the start, but its low priority lets the others, ready later, go first.
        Assert.Equal(["setup", "c", "b", "a"], starts);
    }

    [Fact]
    public async Task Extreme_priorities_keep_their_order()
    {
        var starts = new ConcurrentQueue<string>();
        var job = new Job("extremes")
            .Add(Recorded("min", starts, int.MinValue))
            .Add(Recorded("zero", starts))
            .Add(Recorded("max", starts, int.MaxValue))
            .Add(Recorded("minus-one", starts, -1));

        await Runs.CollectWithinAsync(job, Runs.Options(workers: 1));

        Assert.Equal(["max", "zero", "minus-one", "min"], starts);
    }

    [Fact]
    public async Task Ready_tasks_run_in_parallel_up_to_the_worker_count()
    {
        const int workers = 3;
        var probe = new ConcurrencyProbe();
        var firstWave = new Rendezvous(workers);
        var job = new Job("parallel");
        for (var i = 0; i < 12; i++)
        {
            job.AddAsync($"t{i}", async ct =>
            {
                probe.Enter();
                try
                {
                    // The first tasks stay until as many as there are workers run together.
                    if (!firstWave.All.IsCompleted) await firstWave.ArriveAndWaitAsync(ct);
                }
                finally
                {
                    probe.Exit();
                }
            });
        }

        var results = await Runs.CollectWithinAsync(job, Runs.Options(workers));

        Assert.Equal(12, results.Count);
        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Equal(workers, probe.Max);
    }

    [Fact]
    public async Task Held_tasks_never_exceed_the_worker_count()
    {
        const int workers = 2;
        var probe = new ConcurrencyProbe();
        var release = new SemaphoreSlim(0);
        var entered = new SemaphoreSlim(0);
        var job = new Job("bounded");
        for (var i = 0; i < 8; i++)
        {
            job.AddAsync($"t{i}", async ct =>
            {
                probe.Enter();
                entered.Release();
                try
                {
                    await release.WaitAsync(Runs.Patience, ct);
                }
                finally
                {
                    probe.Exit();
                }
            });
        }

        var run = Runs.CollectWithinAsync(job, Runs.Options(workers));
        for (var i = 0; i < 8; i++)
        {
            Assert.True(await entered.WaitAsync(Runs.Patience, TestContext.Current.CancellationToken));
            // Until one of them is let go, the others are held: a worker too many would show up here.
            if (i >= workers - 1) release.Release();
        }
        release.Release(workers);
        var results = await run;

        Assert.Equal(8, results.Count);
        Assert.Equal(workers, probe.Max);
    }

    [Fact]
    public async Task A_capability_with_several_providers_waits_for_all_of_them()
    {
        var releaseSecond = Runs.NewSignal();
        var finished = new ConcurrentDictionary<string, bool>();
        string[]? seenByNeeder = null;
        var job = new Job("providers")
            .Add(new TaskSpec
            {
                Id = "db-primary",
                Provides = ["db"],
                Action = DelegateAction.From(_ => { finished["db-primary"] = true; }),
            })
            .Add(new TaskSpec
            {
                Id = "db-replica",
                Provides = ["db"],
                Action = DelegateAction.From(async (_, ct) =>
                {
                    await releaseSecond.Task.WaitAsync(Runs.Patience, ct);
                    finished["db-replica"] = true;
                }),
            })
            .AddAction("app", _ => { seenByNeeder = [.. finished.Keys.Order(StringComparer.Ordinal)]; }, "db");

        await using var run = await JobRun.StartAsync(job, Runs.Options(), TestContext.Current.CancellationToken);
        var events = new List<RunEvent>();
        await foreach (var e in run.ReadEventsAsync(TestContext.Current.CancellationToken).WithCancellation(TestContext.Current.CancellationToken))
        {
            events.Add(e);
            // Once one provider is done the needer must still wait; let the other one finish only now.
            if (e is TaskFinished { TaskId: "db-primary" }) releaseSecond.TrySetResult();
        }
        await run.Completion.Within();

        Assert.Equal(["db-primary", "db-replica", "app"], events.Results().Select(r => r.TaskId));
        Assert.Equal(["db-primary", "db-replica"], seenByNeeder!);
    }

    [Fact]
    public async Task A_failing_provider_skips_the_needer_naming_the_capability_and_the_provider()
    {
        var appRan = false;
        var job = new Job("provider-fails")
            .Add(new TaskSpec { Id = "db-primary", Provides = ["db"], Action = DelegateAction.From(_ => { }) })
            .Add(new TaskSpec { Id = "db-replica", Provides = ["db"], Action = new CommandAction("exit 4") })
            .AddAction("app", _ => { appRan = true; }, "db")
            .AddAction("e2e", _ => { }, "app");

        var results = await Runs.ResultsByIdAsync(job);

        Assert.False(appRan);
        Assert.Equal(Outcome.Passed, results["db-primary"].Outcome);
        Assert.Equal(Outcome.Failed, results["db-replica"].Outcome);
        Assert.Equal(Outcome.Skipped, results["app"].Outcome);
        Assert.Equal("needs capability 'db', whose provider 'db-replica' failed", results["app"].Reason);
        Assert.Equal(Outcome.Skipped, results["e2e"].Outcome);
        Assert.Equal("needs 'app', which was skipped (root cause: 'db-replica' failed)", results["e2e"].Reason);
        Assert.Equal(0, results["app"].Attempts);
    }

    [Fact]
    public async Task Independent_work_goes_on_after_a_failure()
    {
        var job = new Job("independent")
            .AddCommand("broken", "exit 1")
            .Add("after-broken", _ => 1, "broken")
            .Add("other", _ => 2)
            .Add("other-next", ctx => ctx.GetResult<int>("other") + 1, "other");

        var results = await Runs.ResultsByIdAsync(job);

        Assert.Equal(Outcome.Skipped, results["after-broken"].Outcome);
        Assert.Equal(Outcome.Passed, results["other-next"].Outcome);
        Assert.Equal(3, results["other-next"].Value);
    }
}
