using System.Collections.Concurrent;
using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Scheduling;

public class AddedTaskTests
{
    [Fact]
    public async Task Tasks_added_while_running_run_in_the_same_run_and_may_need_existing_tasks()
    {
        var job = new Job("factory")
            .Add("config", _ => 10)
            .Add("discover", ctx =>
            {
                ctx.AddTasks(
                    new TaskSpec { Id = "case-1", Needs = ["config"], Action = DelegateAction.From(c => c.GetResult<int>("config") + 1) },
                    new TaskSpec { Id = "case-2", Needs = ["config", "discover"], Action = DelegateAction.From(c => c.GetResult<int>("discover") * 2) },
                    new TaskSpec { Id = "report", Needs = ["case-1", "case-2"], Action = DelegateAction.From(c => c.GetResult<int>("case-1") + c.GetResult<int>("case-2")) });
                return 21;
            }, "config");

        await using var run = await JobRun.StartAsync(job, Runs.Options(), TestContext.Current.CancellationToken);
        var (events, summary) = await Runs.DrainWithinAsync(run);
        var results = events.Results().ToDictionary(r => r.TaskId);

        Assert.Equal(5, results.Count);
        Assert.Equal(5, run.TaskCount);
        Assert.Equal(5, summary.Total);
        Assert.True(summary.Succeeded);
        Assert.Equal(11, results["case-1"].Value);
        Assert.Equal(42, results["case-2"].Value);
        Assert.Equal(53, results["report"].Value);
    }

    [Fact]
    public async Task Added_tasks_can_add_tasks_in_turn()
    {
        var ran = new ConcurrentBag<string>();
        TaskSpec Walker(string path, int depth) => new()
        {
            Id = path,
            Action = DelegateAction.From(ctx =>
            {
                ran.Add(ctx.TaskId);
                if (depth < 4) ctx.AddTasks(Walker(path + "/a", depth + 1), Walker(path + "/b", depth + 1));
            }),
        };
        var job = new Job("tree").Add(Walker("root", 0));

        var results = await Runs.CollectWithinAsync(job);

        Assert.Equal(31, results.Count);
        Assert.Equal(31, ran.Distinct().Count());
        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));
    }

    [Fact]
    public async Task An_added_task_that_needs_a_failed_task_is_skipped()
    {
        var job = new Job("added-after-failure")
            .AddCommand("broken", "exit 1")
            .AddAction("adder", ctx => ctx.AddTasks(new TaskSpec { Id = "late", Needs = ["broken"], Action = DelegateAction.From(_ => { }) }), "gate")
            .Add("gate", _ => 1);

        // With one worker, "broken" (first in job order) has failed before "adder", which waits for "gate", runs.
        var results = await Runs.ResultsByIdAsync(job, Runs.Options(workers: 1));

        Assert.Equal(Outcome.Skipped, results["late"].Outcome);
        Assert.Equal("needs 'broken', which failed", results["late"].Reason);
    }

    [Fact]
    public async Task An_added_task_may_need_a_capability_of_the_run()
    {
        var job = new Job("added-needs-capability")
            .Add(new TaskSpec { Id = "postgres", Provides = ["db"], Action = DelegateAction.From(_ => 5432) })
            .AddAction("adder", ctx => ctx.AddTasks(new TaskSpec { Id = "migrate", Needs = ["db"], Action = DelegateAction.From(c => c.GetResult<int>("postgres")) }));

        var results = await Runs.ResultsByIdAsync(job);

        Assert.Equal(Outcome.Passed, results["migrate"].Outcome);
        Assert.Equal(5432, results["migrate"].Value);
    }

    public static TheoryData<string, TaskSpec[], string> InvalidAdditions() => new()
    {
        { "duplicate of a task of the run", [Noop("ok"), Noop("existing")], "task 'adder' added a task with id 'existing', which is already in the run" },
        { "duplicate within the batch", [Noop("twin"), Noop("twin")], "task 'adder' added a task with id 'twin', which is already in the run" },
        { "unknown need", [Noop("ok"), Noop("lost", "nowhere")], "task 'lost' needs 'nowhere', which is neither a task nor a capability any task provides" },
        { "misspelt need", [Noop("close", "existin")], "(did you mean 'existing'?)" },
        { "cycle among the added", [Noop("x", "y"), Noop("y", "z"), Noop("z", "x")], "dependency cycle: x → y → z → x" },
        { "self-need", [Noop("self", "self")], "dependency cycle: self → self" },
        { "capability the run already has", [new TaskSpec { Id = "db2", Provides = ["db"], Action = DelegateAction.From(_ => { }) }], "a capability's providers are fixed when the run starts" },
        { "id that is a capability of the run", [Noop("db")], "'db' is both a task id and a capability" },
        { "capability that is a task id of the run", [new TaskSpec { Id = "alias", Provides = ["existing"], Action = DelegateAction.From(_ => { }) }], "'existing' is both a task id and a capability" },
        { "undeclared group", [new TaskSpec { Id = "grouped", Group = "nope", Action = DelegateAction.From(_ => { }) }], "which is not declared under 'groups'" },
        { "negative retries", [new TaskSpec { Id = "retries", Retries = -1, Action = DelegateAction.From(_ => { }) }], "has retries -1" },
    };

    private static TaskSpec Noop(string id, params string[] needs) => new() { Id = id, Needs = needs, Action = DelegateAction.From(_ => { }) };

    [Theory]
    [MemberData(nameof(InvalidAdditions))]
    public async Task Invalid_additions_throw_and_add_nothing(string what, TaskSpec[] batch, string expected)
    {
        _ = what;
        JobValidationException? thrown = null;
        var job = new Job("invalid-additions")
            .AddAction("existing", _ => { })
            .Add(new TaskSpec { Id = "postgres", Provides = ["db"], Action = DelegateAction.From(_ => { }) })
            .AddAction("adder", ctx =>
            {
                try
                {
                    ctx.AddTasks(batch);
                }
                catch (JobValidationException ex)
                {
                    thrown = ex;
                }
            }, "existing");

        await using var run = await JobRun.StartAsync(job, Runs.Options(), TestContext.Current.CancellationToken);
        var (events, summary) = await Runs.DrainWithinAsync(run);

        Assert.NotNull(thrown);
        Assert.Contains(thrown.Problems, p => p.Message.Contains(expected, StringComparison.Ordinal));
        Assert.Equal(3, run.TaskCount);
        Assert.Equal(["adder", "existing", "postgres"], events.Results().Select(r => r.TaskId).Order(StringComparer.Ordinal));
        Assert.True(summary.Succeeded);
    }

    [Fact]
    public async Task Adding_to_a_stopping_run_is_refused()
    {
        var started = new TaskCompletionSource<JobRun>(TaskCreationOptions.RunContinuationsAsynchronously);
        Exception? refused = null;
        var job = new Job("stopping").Add("adder", async (ctx, ct) =>
        {
            (await started.Task.WaitAsync(Runs.Patience, ct)).Cancel();
            try
            {
                ctx.AddTasks(Noop("too-late"));
            }
            catch (InvalidOperationException ex)
            {
                refused = ex;
            }
        });

        await using var run = await JobRun.StartAsync(job, Runs.Options(), TestContext.Current.CancellationToken);
        started.SetResult(run);
        var (events, _) = await Runs.DrainWithinAsync(run);

        Assert.NotNull(refused);
        Assert.Equal("Task 'adder' cannot add tasks: the run is stopping.", refused.Message);
        Assert.Single(events.Results());
    }

    [Fact]
    public async Task A_task_that_has_finished_cannot_add_tasks()
    {
        TaskContext? kept = null;
        var job = new Job("finished-adder").AddAction("leaky", ctx => kept = ctx);

        await using var run = await JobRun.StartAsync(job, Runs.Options(), TestContext.Current.CancellationToken);
        var (events, _) = await Runs.DrainWithinAsync(run);

        var ex = Assert.Throws<InvalidOperationException>(() => kept!.AddTasks(Noop("late")));
        Assert.Equal("Task 'leaky' cannot add tasks: it has finished.", ex.Message);
        Assert.Equal(1, run.TaskCount);
        Assert.Single(events.Results());
    }
}
