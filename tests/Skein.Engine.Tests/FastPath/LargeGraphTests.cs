namespace Skein.Engine.Tests.FastPath;

/// <summary>Wide graphs: a task needing thousands of others is validated and released correctly, and quickly.</summary>
public class LargeGraphTests
{
    [Fact]
    public async Task Fan_out_and_in_runs_the_sink_once_after_everything()
    {
        const int width = 20_000;
        var finished = 0;
        var job = new Job("fan").Add("root", _ => 1);
        var middle = new string[width + 1];
        for (var i = 0; i < width; i++)
        {
            middle[i] = $"m{i}";
            job.Add(middle[i], _ => { Interlocked.Increment(ref finished); return null; }, "root");
        }
        middle[width] = "m0"; // a repeated need counts once
        var sinkSaw = -1;
        job.Add("sink", _ => { sinkSaw = Volatile.Read(ref finished); return null; }, middle);

        var results = await FastPathRuns.CollectAsync(job, FastPathRuns.Options(workers: 2));
        Assert.Equal(width + 2, results.Count);
        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Equal("sink", results[^1].TaskId);
        Assert.Equal(width, sinkSaw);
    }

    [Fact]
    public async Task A_failed_task_in_a_wide_fan_skips_the_sink_naming_it()
    {
        const int width = 5_000;
        var job = new Job("fan-fail");
        var middle = new string[width];
        for (var i = 0; i < width; i++)
        {
            middle[i] = $"m{i}";
            if (i == 4_321) job.Add(middle[i], (Func<TaskContext, object?>)(_ => throw new InvalidOperationException("no")));
            else job.Add(middle[i], _ => null);
        }
        job.Add("sink", _ => null, middle);
        var results = await FastPathRuns.ByIdAsync(job);
        Assert.Equal(Outcome.Skipped, results["sink"].Outcome);
        Assert.Equal("needs 'm4321', which failed", results["sink"].Reason);
    }

    [Fact]
    public async Task Validation_of_a_task_needing_many_others_is_linear_enough()
    {
        const int width = 100_000;
        var job = new Job("wide");
        var middle = new string[width];
        for (var i = 0; i < width; i++)
        {
            middle[i] = $"m{i}";
            job.Add(middle[i], _ => null);
        }
        job.Add("sink", _ => null, middle);
        // Quadratic work over 100,000 needs would take far longer than the tests' patience; linear takes moments.
        var plan = await Task.Run(() => JobValidator.Plan(job), TestContext.Current.CancellationToken).WaitAsync(FastPathRuns.Patience, TestContext.Current.CancellationToken);
        Assert.True(plan.IsValid);
        Assert.Equal(2, plan.Layers.Count);
    }

    [Fact]
    public async Task A_task_can_add_a_wide_fan_in_while_running()
    {
        const int width = 5_000;
        var job = new Job("added-fan").Add("spawner", ctx =>
        {
            var added = new List<TaskSpec>(width + 1);
            var ids = new string[width * 2];
            for (var i = 0; i < width; i++)
            {
                ids[i] = ids[width + i] = $"m{i}"; // every need twice: still one dependency each
                added.Add(new TaskSpec { Id = ids[i], Action = DelegateAction.From(_ => 1) });
            }
            added.Add(new TaskSpec { Id = "sink", Needs = ids, Action = DelegateAction.From(_ => 2) });
            ctx.AddTasks(added);
            return null;
        });
        var results = await FastPathRuns.CollectAsync(job);
        Assert.Equal(width + 2, results.Count);
        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Equal("sink", results[^1].TaskId);
    }
}
