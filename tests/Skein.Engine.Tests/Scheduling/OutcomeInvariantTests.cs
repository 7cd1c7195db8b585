using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Scheduling;

public class OutcomeInvariantTests
{
    private sealed record Planned(TaskSpec Spec, bool Fails, List<int> DependsOn);

    /// <summary>
    /// A random job: needs on earlier tasks and on capabilities of earlier providers, claims and uses, two
    /// exclusivity groups, priorities, flaky tasks that pass on retry, and tasks that fail for good.
    /// </summary>
    private static List<Planned> RandomJob(int seed, int count, Action? onStart = null)
    {
        var random = new Random(seed);
        var planned = new List<Planned>(count);
        var providers = new Dictionary<string, List<int>>();
        for (var i = 0; i < count; i++)
        {
            var needs = new List<string>();
            var dependsOn = new List<int>();
            var needCount = i == 0 ? 0 : random.Next(4);
            for (var n = 0; n < needCount; n++)
            {
                var dep = random.Next(i);
                if (dependsOn.Contains(dep)) continue;
                dependsOn.Add(dep);
                needs.Add($"t{dep}");
            }
            // Capabilities are provided only in the first half and needed only in the second, so that every
            // needer comes after all of its providers.
            if (i >= count / 2 && providers.Count > 0 && random.Next(4) == 0)
            {
                var capability = providers.Keys.ElementAt(random.Next(providers.Count));
                needs.Add(capability);
                foreach (var p in providers[capability]) if (!dependsOn.Contains(p)) dependsOn.Add(p);
            }
            string[] provides = [];
            if (i < count / 2 && random.Next(8) == 0)
            {
                var capability = $"cap{random.Next(5)}";
                provides = [capability];
                if (!providers.TryGetValue(capability, out var list)) providers[capability] = list = [];
                list.Add(i);
            }
            var fails = random.Next(12) == 0;
            var flaky = !fails && random.Next(10) == 0;
            var resourceRoll = random.Next(10);
            planned.Add(new Planned(new TaskSpec
            {
                Id = $"t{i}",
                Needs = needs,
                Provides = provides,
                Claims = resourceRoll == 0 ? ["r1"] : [],
                Uses = resourceRoll is 1 or 2 ? ["r1"] : resourceRoll == 3 ? ["r2"] : [],
                Group = random.Next(8) switch { 0 => "g1", 1 => "g2", _ => null },
                Priority = random.Next(-2, 3),
                Retries = flaky ? 1 : 0,
                Action = DelegateAction.From(async (ctx, _) =>
                {
                    onStart?.Invoke();
                    await Task.Yield();
                    if (fails || (flaky && ctx.Attempt == 1)) throw new InvalidOperationException($"planned failure of {ctx.TaskId}");
                    return ctx.Attempt;
                }),
            }, fails, dependsOn));
        }
        return planned;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Every_task_of_a_random_job_ends_with_exactly_one_outcome(int seed)
    {
        const int count = 300;
        var planned = RandomJob(seed, count);
        var job = new Job($"random-{seed}").AddGroup("g1", 2).AddGroup("g2", 1);
        foreach (var p in planned) job.Add(p.Spec);

        await using var run = await JobRun.StartAsync(job, Runs.Options(workers: 4), TestContext.Current.CancellationToken);
        var (events, summary) = await Runs.DrainWithinAsync(run);
        var results = events.Results();

        Assert.Equal(count, results.Count);
        Assert.Equal(count, results.Select(r => r.TaskId).Distinct().Count());
        Assert.Equal(count, summary.Total);

        // Tasks are in dependency order, so the expected outcome of each follows from those before it.
        var expected = new Outcome[count];
        var byId = results.ToDictionary(r => r.TaskId);
        for (var i = 0; i < count; i++)
        {
            var p = planned[i];
            var blocked = p.DependsOn.Any(d => !expected[d].IsSuccess());
            expected[i] = blocked ? Outcome.Skipped : p.Fails ? Outcome.Failed : Outcome.Passed;
            var actual = byId[p.Spec.Id];
            Assert.True(expected[i] == actual.Outcome, $"{p.Spec.Id}: expected {expected[i]}, got {actual} ");
            if (actual.Outcome == Outcome.Skipped)
            {
                Assert.Equal(0, actual.Attempts);
                Assert.StartsWith("needs ", actual.Reason);
            }
            else
            {
                // Flaky tasks pass on their one retry; tasks that fail for good have none.
                Assert.Equal(p.Spec.Retries + 1, actual.Attempts);
            }
        }
        Assert.Equal(expected.Count(o => o == Outcome.Failed), summary.Count(Outcome.Failed));
        Assert.Equal(expected.Count(o => o == Outcome.Skipped), summary.Count(Outcome.Skipped));
        Assert.InRange(summary.Count(Outcome.Skipped), 1, count - 1);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public async Task Every_task_of_a_random_job_cancelled_midway_ends_with_exactly_one_outcome(int seed)
    {
        const int count = 300;
        var begun = 0;
        var fiftyBegun = Runs.NewSignal();
        var started = new TaskCompletionSource<JobRun>(TaskCreationOptions.RunContinuationsAsynchronously);
        var planned = RandomJob(seed, count, () =>
        {
            if (Interlocked.Increment(ref begun) != 50) return;
            fiftyBegun.TrySetResult();
            // Cancel right here, inside the 50th task's start: a canceller scheduled later could lose the race
            // against 250 quick tasks on a busy machine.
            if (started.Task.IsCompletedSuccessfully) started.Task.Result.Cancel();
        });
        var job = new Job($"random-cancelled-{seed}").AddGroup("g1", 2).AddGroup("g2", 1);
        foreach (var p in planned) job.Add(p.Spec);
        // Starts first and also cancels once 50 tasks have begun, in case the run was not known yet at the 50th.
        job.Add(new TaskSpec
        {
            Id = "canceller",
            Priority = int.MaxValue,
            Action = DelegateAction.From(async (_, ct) =>
            {
                var run = await started.Task.WaitAsync(Runs.Patience, ct);
                await fiftyBegun.Task.WaitAsync(Runs.Patience, ct);
                run.Cancel();
            }),
        });

        await using var run = await JobRun.StartAsync(job, Runs.Options(workers: 4), TestContext.Current.CancellationToken);
        started.SetResult(run);
        var (events, summary) = await Runs.DrainWithinAsync(run);
        var results = events.Results();

        Assert.Equal(count + 1, results.Count);
        Assert.Equal(count + 1, results.Select(r => r.TaskId).Distinct().Count());
        Assert.Equal(RunStatus.Cancelled, summary.Status);
        Assert.Equal(count + 1, summary.Total);
        Assert.True(summary.Count(Outcome.Cancelled) > 0);
        // Once the run stops, what did not start is cancelled, not skipped for a cancelled dependency.
        Assert.DoesNotContain(results, r => r.Outcome == Outcome.Skipped && r.Reason!.Contains("cancelled", StringComparison.Ordinal));
        Assert.All(results.Where(r => r.Reason == "the run was cancelled before it started"), r => Assert.Equal(0, r.Attempts));
    }
}
