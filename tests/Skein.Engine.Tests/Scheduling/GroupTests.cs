using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Scheduling;

public class GroupTests
{
    /// <summary>Counts each group's tasks inside at once, and notes any moment two groups had tasks inside.</summary>
    private sealed class GroupTracker
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, int> _inside = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _max = new(StringComparer.Ordinal);
        private readonly List<string> _violations = [];

        public IReadOnlyList<string> Violations
        {
            get { lock (_lock) return [.. _violations]; }
        }

        public int MaxOf(string group)
        {
            lock (_lock) return _max.GetValueOrDefault(group);
        }

        public TaskSpec Task(string id, string group, Func<CancellationToken, Task> body, params string[] needs) => new()
        {
            Id = id,
            Group = group,
            Needs = needs,
            Action = DelegateAction.From(async (_, ct) =>
            {
                lock (_lock)
                {
                    foreach (var (other, count) in _inside)
                    {
                        if (other != group && count > 0) _violations.Add($"{id} of '{group}' started while {count} task(s) of '{other}' ran");
                    }
                    var now = _inside.GetValueOrDefault(group) + 1;
                    _inside[group] = now;
                    _max[group] = Math.Max(_max.GetValueOrDefault(group), now);
                }
                try
                {
                    await body(ct);
                }
                finally
                {
                    lock (_lock) _inside[group]--;
                }
            }),
        };
    }

    private static async Task Overlap(CancellationToken ct)
    {
        for (var i = 0; i < 5; i++)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }

    [Fact]
    public async Task Tasks_of_two_groups_never_run_at_once_and_each_group_keeps_to_its_workers()
    {
        var tracker = new GroupTracker();
        var random = new Random(99);
        var groups = new Dictionary<string, int> { ["gpu"] = 2, ["network"] = 3, ["serial"] = 1 };
        var job = new Job("groups");
        foreach (var (name, workers) in groups) job.AddGroup(name, workers);
        var names = groups.Keys.ToArray();
        for (var i = 0; i < 120; i++)
        {
            var roll = random.Next(4);
            if (roll == 3) job.AddAsync($"free-{i}", Overlap);
            else job.Add(tracker.Task($"t{i}", names[roll], Overlap));
        }

        var results = await Runs.CollectWithinAsync(job, Runs.Options(workers: 8));

        Assert.Equal(120, results.Count);
        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Empty(tracker.Violations);
        foreach (var (name, workers) in groups) Assert.InRange(tracker.MaxOf(name), 1, workers);
    }

    [Fact]
    public async Task A_group_runs_as_many_tasks_at_once_as_its_own_workers_whatever_the_run_workers()
    {
        var tracker = new GroupTracker();
        var together = new Rendezvous(3);
        var job = new Job("group-workers").AddGroup("wide", 3);
        for (var i = 0; i < 9; i++)
        {
            job.Add(tracker.Task($"t{i}", "wide", ct => together.All.IsCompleted ? Overlap(ct) : together.ArriveAndWaitAsync(ct)));
        }

        var results = await Runs.CollectWithinAsync(job, Runs.Options(workers: 1));

        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Equal(3, tracker.MaxOf("wide"));
    }

    [Fact]
    public async Task Ungrouped_tasks_run_beside_a_group()
    {
        var together = new Rendezvous(3);
        var job = new Job("beside").AddGroup("serial", 1);
        job.Add(new TaskSpec { Id = "grouped", Group = "serial", Action = DelegateAction.From((_, ct) => together.ArriveAndWaitAsync(ct)) });
        job.AddAsync("free-1", together.ArriveAndWaitAsync);
        job.AddAsync("free-2", together.ArriveAndWaitAsync);

        var results = await Runs.CollectWithinAsync(job, Runs.Options(workers: 2));

        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));
    }

    [Fact]
    public async Task The_next_group_starts_only_when_the_active_one_has_no_work_left()
    {
        var tracker = new GroupTracker();
        var job = new Job("switch").AddGroup("first", 2).AddGroup("second", 2);
        // "first" goes first (job order). "a2" becomes ready as "a1" ends, so "first" still has work and keeps
        // the turn; "second" waits although its tasks were ready all along.
        var secondTogether = new Rendezvous(2);
        job.Add(tracker.Task("a1", "first", Overlap));
        job.Add(tracker.Task("b1", "second", secondTogether.ArriveAndWaitAsync));
        job.Add(tracker.Task("a2", "first", Overlap, "a1"));
        job.Add(tracker.Task("b2", "second", secondTogether.ArriveAndWaitAsync));

        var results = await Runs.CollectWithinAsync(job, Runs.Options(workers: 4));

        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Empty(tracker.Violations);
        Assert.Equal(["a1", "a2"], results.Take(2).Select(r => r.TaskId));
        Assert.Equal(2, tracker.MaxOf("second"));
    }
}
