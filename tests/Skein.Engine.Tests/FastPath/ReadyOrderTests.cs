namespace Skein.Engine.Tests.FastPath;

/// <summary>Which ready task starts first: higher priority, then the order tasks were added, whenever they became ready.</summary>
public class ReadyOrderTests
{
    private static async Task<List<string>> StartOrderAsync(Job job)
    {
        var results = await FastPathRuns.CollectAsync(job, FastPathRuns.Options(workers: 1));
        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));
        return results.OrderBy(r => r.StartedAt).Select(r => r.TaskId).ToList();
    }

    private static List<string> Recorder(out Func<string, Action<TaskContext>> record)
    {
        var order = new List<string>();
        record = id => _ => { lock (order) order.Add(id); };
        return order;
    }

    private static Job Add(Job job, Func<string, Action<TaskContext>> record, string id, int priority = 0, params string[] needs) =>
        job.Add(new TaskSpec { Id = id, Priority = priority, Needs = needs, Action = DelegateAction.From(record(id)) });

    [Fact]
    public async Task Priority_first_then_the_order_tasks_were_added()
    {
        var order = Recorder(out var record);
        var job = new Job("order");
        Add(job, record, "a");
        Add(job, record, "b", priority: 5);
        Add(job, record, "c");
        Add(job, record, "d", priority: 5);
        await StartOrderAsync(job);
        Assert.Equal(["b", "d", "a", "c"], order);
    }

    [Fact]
    public async Task A_task_released_later_still_goes_before_tasks_added_after_it()
    {
        var order = Recorder(out var record);
        var job = new Job("released");
        Add(job, record, "gate");
        Add(job, record, "x", 0, "gate");
        Add(job, record, "y");
        Add(job, record, "z");
        await StartOrderAsync(job);
        Assert.Equal(["gate", "x", "y", "z"], order);
    }

    [Fact]
    public async Task A_released_task_with_higher_priority_overtakes_the_waiting_ones()
    {
        var order = Recorder(out var record);
        var job = new Job("overtake");
        Add(job, record, "gate", priority: 1);
        Add(job, record, "y");
        Add(job, record, "z");
        Add(job, record, "x", 10, "gate");
        await StartOrderAsync(job);
        Assert.Equal(["gate", "x", "y", "z"], order);
    }

    [Fact]
    public async Task Order_holds_across_many_ready_tasks_and_late_releases()
    {
        var order = Recorder(out var record);
        var job = new Job("many");
        var expected = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            // Every tenth task waits for the one before it; it still starts in its place in the job.
            var id = $"t{i:D3}";
            Add(job, record, id, 0, i % 10 == 5 ? [$"t{i - 1:D3}"] : []);
            expected.Add(id);
        }
        await StartOrderAsync(job);
        Assert.Equal(expected, order);
    }

    [Fact]
    public async Task A_wide_release_keeps_priority_then_job_order()
    {
        var order = Recorder(out var record);
        var job = new Job("wide");
        Add(job, record, "gate");
        var expected = new List<(int Priority, int Index, string Id)>();
        for (var i = 0; i < 300; i++)
        {
            var id = $"d{i:D3}";
            var priority = i % 3 == 0 ? 0 : i % 3 == 1 ? 7 : -2;
            Add(job, record, id, priority, "gate");
            expected.Add((priority, i, id));
        }
        await StartOrderAsync(job);
        Assert.Equal("gate", order[0]);
        Assert.Equal(expected.OrderByDescending(e => e.Priority).ThenBy(e => e.Index).Select(e => e.Id), order.Skip(1));
    }

    [Fact]
    public async Task A_wide_release_into_a_group_and_the_ungrouped_pool_runs_everything_in_order()
    {
        var order = Recorder(out var record);
        var job = new Job("wide-groups").AddGroup("g", 1);
        Add(job, record, "gate");
        for (var i = 0; i < 200; i++)
        {
            var id = $"d{i:D3}";
            job.Add(new TaskSpec { Id = id, Needs = ["gate"], Group = i % 2 == 0 ? "g" : null, Action = DelegateAction.From(record(id)) });
        }
        await StartOrderAsync(job);
        Assert.Equal(201, order.Count);
        var grouped = order.Where(id => id.StartsWith('d') && int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 0).ToList();
        var ungrouped = order.Where(id => id.StartsWith('d') && int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 1).ToList();
        Assert.Equal(grouped.Order(StringComparer.Ordinal), grouped);
        Assert.Equal(ungrouped.Order(StringComparer.Ordinal), ungrouped);
    }
}
