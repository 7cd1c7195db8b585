using System.Collections.Concurrent;
using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Scheduling;

public class ClaimTests
{
    private static async Task Overlap(CancellationToken ct)
    {
        // Hand the thread back a few times so that tasks started together really are inside together.
        for (var i = 0; i < 5; i++)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }

    [Fact]
    public async Task A_claim_never_runs_beside_another_claim_or_a_use_of_the_same_name()
    {
        var tracker = new ResourceTracker();
        var random = new Random(1234);
        string[] names = ["db", "gpu", "port-8080"];
        var job = new Job("claims");
        for (var i = 0; i < 150; i++)
        {
            var picked = names.Where(_ => random.Next(3) == 0).ToArray();
            var claims = picked.Where(_ => random.Next(3) == 0).ToArray();
            var uses = picked.Except(claims).ToArray();
            job.Add(tracker.Task($"t{i}", claims, uses, Overlap));
        }

        var results = await Runs.CollectWithinAsync(job, Runs.Options(workers: 8));

        Assert.Equal(150, results.Count);
        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Empty(tracker.Violations);
    }

    [Fact]
    public async Task A_claimer_waits_for_a_user_to_finish()
    {
        // The user stays until "other" starts. With two workers, that happens only if the claimer is kept out:
        // a claimer started beside the user would take the second worker and be seen by the tracker.
        var tracker = new ResourceTracker();
        var otherStarted = Runs.NewSignal();
        var job = new Job("claim-after-use")
            .Add(tracker.Task("user", [], ["db"], ct => otherStarted.Task.WaitAsync(Runs.Patience, ct)))
            .Add(tracker.Task("claimer", ["db"], [], _ => Task.CompletedTask))
            .AddAction("other", _ => otherStarted.TrySetResult());

        var results = await Runs.ResultsByIdAsync(job, Runs.Options(workers: 2));

        Assert.All(results.Values, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Empty(tracker.Violations);
    }

    [Fact]
    public async Task A_claimer_waits_for_another_claimer_to_finish()
    {
        var tracker = new ResourceTracker();
        var otherStarted = Runs.NewSignal();
        var job = new Job("claim-after-claim")
            .Add(tracker.Task("first", ["db"], [], ct => otherStarted.Task.WaitAsync(Runs.Patience, ct)))
            .Add(tracker.Task("second", ["db"], [], _ => Task.CompletedTask))
            .AddAction("other", _ => otherStarted.TrySetResult());

        var results = await Runs.ResultsByIdAsync(job, Runs.Options(workers: 2));

        Assert.All(results.Values, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Empty(tracker.Violations);
    }

    [Fact]
    public async Task A_user_waits_for_a_claimer_to_finish()
    {
        var tracker = new ResourceTracker();
        var otherStarted = Runs.NewSignal();
        var job = new Job("use-after-claim")
            .Add(tracker.Task("claimer", ["db"], [], ct => otherStarted.Task.WaitAsync(Runs.Patience, ct)))
            .Add(tracker.Task("user", [], ["db"], _ => Task.CompletedTask))
            .AddAction("other", _ => otherStarted.TrySetResult());

        var results = await Runs.ResultsByIdAsync(job, Runs.Options(workers: 2));

        Assert.All(results.Values, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Empty(tracker.Violations);
    }

    [Fact]
    public async Task Claims_of_different_names_run_side_by_side()
    {
        var together = new Rendezvous(2);
        var job = new Job("different-names")
            .Add(new TaskSpec { Id = "a", Claims = ["db"], Action = DelegateAction.From((_, ct) => together.ArriveAndWaitAsync(ct)) })
            .Add(new TaskSpec { Id = "b", Claims = ["cache"], Action = DelegateAction.From((_, ct) => together.ArriveAndWaitAsync(ct)) });

        var results = await Runs.CollectWithinAsync(job, Runs.Options(workers: 2));

        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));
    }

    [Fact]
    public async Task Many_users_share_a_resource_at_once()
    {
        const int users = 6;
        var tracker = new ResourceTracker();
        var together = new Rendezvous(users);
        var job = new Job("shared");
        for (var i = 0; i < users; i++) job.Add(tracker.Task($"reader-{i}", [], ["dataset"], together.ArriveAndWaitAsync));

        var results = await Runs.CollectWithinAsync(job, Runs.Options(workers: users));

        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Equal(users, tracker.MaxUsers);
        Assert.Empty(tracker.Violations);
    }

    /// <summary>
    /// Each user adds the next one while it still holds the resource, so users would hold it without a gap
    /// forever if newcomers could join them. The claimer, waiting since the first user, must go before them.
    /// </summary>
    private static Job StreamOfUsers(string name, ConcurrentQueue<string> starts, int users, string? claimerGroup)
    {
        TaskSpec User(int n) => new()
        {
            Id = $"user-{n}",
            Uses = ["db"],
            Action = DelegateAction.From(ctx =>
            {
                starts.Enqueue(ctx.TaskId);
                if (n < users) ctx.AddTasks(User(n + 1));
            }),
        };
        var job = new Job(name)
            .Add(User(1))
            .Add(new TaskSpec
            {
                Id = "claimer",
                Claims = ["db"],
                Group = claimerGroup,
                Action = DelegateAction.From(_ => starts.Enqueue("claimer")),
            });
        if (claimerGroup is not null) job.AddGroup(claimerGroup, 1);
        return job;
    }

    [Fact]
    public async Task A_waiting_claimer_is_not_starved_by_a_stream_of_users()
    {
        var starts = new ConcurrentQueue<string>();

        var results = await Runs.CollectWithinAsync(StreamOfUsers("stream", starts, users: 20, claimerGroup: null), Runs.Options(workers: 4));

        Assert.Equal(21, results.Count);
        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Equal(["user-1", "claimer", "user-2"], starts.Take(3));
    }

    [Fact]
    public async Task A_waiting_claimer_in_a_group_is_not_starved_by_ungrouped_users()
    {
        var starts = new ConcurrentQueue<string>();

        var results = await Runs.CollectWithinAsync(StreamOfUsers("stream-grouped", starts, users: 20, claimerGroup: "db-admin"), Runs.Options(workers: 4));

        Assert.Equal(21, results.Count);
        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Equal(["user-1", "claimer", "user-2"], starts.Take(3));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("db-admin")]
    public async Task Users_kept_out_by_a_waiting_claimer_run_once_it_moves_on_to_another_resource(string? claimerGroup)
    {
        // The claimer waits for "db"; users of "db" queue behind it. When "db" frees up, the claimer still
        // cannot start (it also claims "lock", held by "holder"), and must not leave the users parked: the
        // holder lets go of "lock" only once they have all run.
        var tracker = new ResourceTracker();
        var releaseHolder = Runs.NewSignal();
        var usersDone = 0;
        var job = new Job("claimer-moves-on")
            .Add(tracker.Task("holder", ["lock"], [], ct => releaseHolder.Task.WaitAsync(Runs.Patience, ct)))
            .Add(tracker.Task("first-user", [], ["db"], _ => Task.CompletedTask))
            .Add(tracker.Task("claimer", ["db", "lock"], [], _ => Task.CompletedTask, claimerGroup));
        if (claimerGroup is not null) job.AddGroup(claimerGroup, 1);
        for (var i = 0; i < 3; i++)
        {
            job.Add(tracker.Task($"user-{i}", [], ["db"], _ =>
            {
                if (Interlocked.Increment(ref usersDone) == 3) releaseHolder.TrySetResult();
                return Task.CompletedTask;
            }));
        }

        var results = await Runs.CollectWithinAsync(job, Runs.Options(workers: 4));

        Assert.Equal(6, results.Count);
        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Empty(tracker.Violations);
    }
}
