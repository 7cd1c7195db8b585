using Skein.Cluster.Runs;
using Skein.Engine;
using Skein.Testing;

namespace Skein.Cluster.Tests.Runs;

/// <summary>Runs hosted by the coordinator, through <see cref="RunsClient"/> over real gRPC on loopback.</summary>
public sealed class HostedRunTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly TempDirectory _work = new();
    private TestCluster _cluster = null!;

    public async ValueTask InitializeAsync() => _cluster = await TestCluster.StartAsync(nodes: 1, cancellationToken: Ct);

    public async ValueTask DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _work.Dispose();
    }

    private RunsClient Client() => new(_cluster.Address, _cluster.Token);

    private Job Gated(string name, string gate) => new Job(name)
        .Add(new TaskSpec
        {
            Id = "wait",
            Action = new CommandAction(new CommandSpec { Command = $"echo waiting; while [ ! -f {gate} ]; do sleep 0.05; done", WorkingDirectory = _work.Path }),
        })
        .Add(new TaskSpec { Id = "after", Action = new CommandAction(new CommandSpec { Command = "echo after", WorkingDirectory = _work.Path }), Needs = ["wait"] });

    [Fact]
    public async Task Two_runs_go_at_once_and_a_watch_from_a_sequence_number_replays_only_what_follows_it()
    {
        using var client = Client();
        var waiting = await client.SubmitAsync(Gated("first", "go"), new RunSubmission(), Ct);
        var quick = await client.SubmitAsync(new Job("second").AddCommand("only", "true"), new RunSubmission(), Ct);
        Assert.NotEqual(waiting, quick);

        // The second run ends while the first still waits: they run side by side.
        var quickEvents = await AllAsync(client.WatchAsync(quick, 0, Ct));
        Assert.Equal(quick, quickEvents[0].Header!.RunId);
        Assert.Equal(RunStatus.Passed, quickEvents[^1].Ended!.Status);

        var seen = new List<HostedRunEvent>();
        await foreach (var e in client.WatchAsync(waiting, 0, Ct))
        {
            seen.Add(e);
            if (e.Event is TaskStarted { TaskId: "wait" }) break;
        }
        File.WriteAllText(Path.Combine(_work.Path, "go"), "");
        var all = await AllAsync(client.WatchAsync(waiting, 0, Ct));
        Assert.Equal(["wait", "wait", "after", "after"], all.Where(e => e.Event is not null).Select(e => e.Event!.TaskId));
        Assert.Equal(RunStatus.Passed, all[^1].Ended!.Status);
        Assert.Equal(2, all[^1].Ended!.Counts[Outcome.Passed]);

        // From the sequence after the last one seen: the header, then exactly the rest, nothing twice.
        var rest = await AllAsync(client.WatchAsync(waiting, seen[^1].Sequence + 1, Ct));
        Assert.NotNull(rest[0].Header);
        Assert.Equal(all.Skip(seen.Count).Select(e => e.Sequence), rest.Skip(1).Select(e => e.Sequence));

        var runs = await client.ListAsync(10, null, Ct);
        Assert.Equal([quick, waiting], runs.Select(r => r.Id));
    }

    [Fact]
    public async Task An_invalid_job_is_refused_with_its_problems_and_nothing_runs()
    {
        using var client = Client();
        var cyclic = new Job("cyclic").AddCommand("a", "true", "b").AddCommand("b", "true", "a");
        var refused = await Assert.ThrowsAsync<SkeinException>(() => client.SubmitAsync(cyclic, new RunSubmission(), Ct));
        Assert.Contains("cycle", refused.Message);

        var code = new Job("code").Add("here", _ => 1);
        var local = await Assert.ThrowsAsync<SkeinException>(() => client.SubmitAsync(code, new RunSubmission(), Ct));
        Assert.Contains("task 'here' is C# code", local.Message);

        Assert.Empty(await client.ListAsync(10, null, Ct));
    }

    [Fact]
    public async Task A_job_over_the_task_limit_is_refused_before_anything_runs()
    {
        using var client = Client();
        var huge = new Job("huge");
        for (var i = 0; i <= 100_000; i++) huge.AddCommand($"t{i}", "true");
        var refused = await Assert.ThrowsAsync<SkeinException>(() => client.SubmitAsync(huge, new RunSubmission(), Ct));
        Assert.Contains("the job has 100001 tasks; a run holds at most 100000", refused.Message);
        Assert.Empty(await client.ListAsync(10, null, Ct));
    }

    [Fact]
    public async Task Cancel_stops_a_running_run_and_its_watchers_see_it_end_cancelled()
    {
        using var client = Client();
        var run = await client.SubmitAsync(Gated("cancelled", "never"), new RunSubmission(), Ct);
        await foreach (var e in client.WatchAsync(run, 0, Ct))
        {
            if (e.Event is TaskStarted) break;
        }
        Assert.True(await client.CancelAsync(run, Ct));
        var all = await AllAsync(client.WatchAsync(run, 0, Ct));
        Assert.Equal(RunStatus.Cancelled, all[^1].Ended!.Status);
        Assert.False(await client.CancelAsync(run, Ct));
        var unknown = await Assert.ThrowsAsync<SkeinException>(() => client.CancelAsync(run + 100, Ct));
        Assert.Contains($"run {run + 100} is not hosted by this coordinator", unknown.Message);
    }

    [Fact]
    public async Task Attempts_give_each_retried_tasks_history_with_outcome_reason_times_and_node()
    {
        using var client = Client();
        var job = new Job("flaky").Add(new TaskSpec
        {
            Id = "flaky",
            Retries = 1,
            Action = new CommandAction(new CommandSpec
            {
                Command = "if [ -f once ]; then exit 0; fi; touch once; echo first; exit 1",
                WorkingDirectory = _work.Path,
            }),
        });
        var run = await client.SubmitAsync(job, new RunSubmission(), Ct);
        var events = await AllAsync(client.WatchAsync(run, 0, Ct));
        Assert.Equal(RunStatus.Passed, events[^1].Ended!.Status);

        var attempts = await client.AttemptsAsync(run, ["flaky"], Ct);
        var history = attempts["flaky"];
        Assert.Equal([1, 2], history.Select(a => a.Attempt));
        Assert.Equal(Outcome.Failed, history[0].Outcome);
        Assert.StartsWith("exit code 1", history[0].Reason);
        Assert.Equal(1, history[0].ExitCode);
        Assert.Equal(Outcome.Passed, history[1].Outcome);
        Assert.All(history, a => Assert.NotNull(a.StartedAt));
        Assert.All(history, a => Assert.NotNull(a.FinishedAt));
        Assert.All(history, a => Assert.Equal(_cluster.Nodes[0].Name, a.Node));
        Assert.EndsWith("flaky.1.log", history[0].LogPath);

        var unknown = await Assert.ThrowsAsync<SkeinException>(() => client.AttemptsAsync(run, ["nope"], Ct));
        Assert.Contains("nope", unknown.Message);
    }

    private static async Task<List<HostedRunEvent>> AllAsync(IAsyncEnumerable<HostedRunEvent> events)
    {
        var list = new List<HostedRunEvent>();
        await foreach (var e in events.WithCancellation(Ct)) list.Add(e);
        return list;
    }
}
