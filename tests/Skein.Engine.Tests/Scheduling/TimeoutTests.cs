using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Scheduling;

public class TimeoutTests
{
    private static RunOptions FakeTimeOptions(FakeTimeProvider time, TimeSpan? abandonGrace = null) => new()
    {
        Workers = 4,
        StateDirectory = Runs.TempDir(),
        TimeProvider = time,
        AbandonGrace = abandonGrace ?? TimeSpan.FromSeconds(5),
    };

    private static int ReadPid(string path) => int.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_csharp_task_that_honours_its_token_times_out_and_the_rest_go_on()
    {
        var time = new FakeTimeProvider();
        var started = Runs.NewSignal();
        var job = new Job("timeout")
            .Add(new TaskSpec
            {
                Id = "slow",
                Timeout = TimeSpan.FromSeconds(30),
                Action = DelegateAction.From(async (_, ct) =>
                {
                    started.TrySetResult();
                    await new TaskCompletionSource().Task.WaitAsync(ct);
                }),
            })
            .Add("after-slow", _ => 1, "slow")
            .Add("independent", _ => 2)
            .Add("after-independent", ctx => ctx.GetResult<int>("independent") * 10, "independent");

        await using var run = await JobRun.StartAsync(job, FakeTimeOptions(time), TestContext.Current.CancellationToken);
        await started.Task.Within();
        time.Advance(TimeSpan.FromSeconds(30));
        var (events, summary) = await Runs.DrainWithinAsync(run);
        var results = events.Results().ToDictionary(r => r.TaskId);

        Assert.Equal(Outcome.TimedOut, results["slow"].Outcome);
        Assert.Equal("timed out after 30s", results["slow"].Reason);
        Assert.Equal(Outcome.Skipped, results["after-slow"].Outcome);
        Assert.Equal("needs 'slow', which timed out", results["after-slow"].Reason);
        Assert.Equal(20, results["after-independent"].Value);
        Assert.Equal(RunStatus.Failed, summary.Status);
        Assert.Equal(1, summary.Count(Outcome.TimedOut));
    }

    [Fact]
    public async Task A_csharp_task_that_finishes_within_its_timeout_passes()
    {
        var time = new FakeTimeProvider();
        var job = new Job("in-time").Add(new TaskSpec { Id = "quick", Timeout = TimeSpan.FromSeconds(1), Action = DelegateAction.From(async (_, _) => { await Task.Yield(); return 7; }) });

        var result = Assert.Single(await Runs.CollectWithinAsync(job, FakeTimeOptions(time)));

        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Equal(7, result.Value);
    }

    [Fact]
    public async Task An_async_csharp_task_that_ignores_its_token_is_abandoned_after_the_grace()
    {
        var time = new FakeTimeProvider();
        var started = Runs.NewSignal();
        var stubborn = Runs.NewSignal();
        var job = new Job("stubborn").Add(new TaskSpec
        {
            Id = "stubborn",
            Timeout = TimeSpan.FromSeconds(10),
            Action = DelegateAction.From(async (_, _) =>
            {
                started.TrySetResult();
                await stubborn.Task; // deliberately deaf to cancellation
            }),
        });

        await using var run = await JobRun.StartAsync(job, FakeTimeOptions(time, abandonGrace: TimeSpan.FromSeconds(2)), TestContext.Current.CancellationToken);
        List<RunEvent> events;
        try
        {
            await started.Task.Within();
            time.Advance(TimeSpan.FromSeconds(10));
            time.Advance(TimeSpan.FromSeconds(2));
            (events, _) = await Runs.DrainWithinAsync(run);
        }
        finally
        {
            // Let the abandoned body end, also when the run hung, so that disposing the run does not hang too.
            stubborn.TrySetResult();
        }

        var result = Assert.Single(events.Results());
        Assert.Equal(Outcome.TimedOut, result.Outcome);
        Assert.Equal("timed out after 10s and did not stop within 2s; abandoned", result.Reason);
    }

    [Fact]
    public async Task A_blocking_csharp_task_that_ignores_its_token_is_abandoned_after_the_grace()
    {
        var time = new FakeTimeProvider();
        var started = Runs.NewSignal();
        using var stubborn = new ManualResetEventSlim();
        var job = new Job("blocking")
            .Add(new TaskSpec
            {
                Id = "blocking",
                Timeout = TimeSpan.FromSeconds(10),
                Action = DelegateAction.From(_ =>
                {
                    started.TrySetResult();
                    stubborn.Wait(); // a synchronous body that never looks at its token
                    return 1;
                }),
            })
            .Add("other", _ => 2);

        await using var run = await JobRun.StartAsync(job, FakeTimeOptions(time, abandonGrace: TimeSpan.FromSeconds(2)), TestContext.Current.CancellationToken);
        List<RunEvent> events;
        try
        {
            await started.Task.Within();
            time.Advance(TimeSpan.FromSeconds(10));
            time.Advance(TimeSpan.FromSeconds(2));
            (events, _) = await Runs.DrainWithinAsync(run);
        }
        finally
        {
            stubborn.Set();
        }
        var results = events.Results().ToDictionary(r => r.TaskId);

        Assert.Equal(Outcome.TimedOut, results["blocking"].Outcome);
        Assert.EndsWith("abandoned", results["blocking"].Reason);
        Assert.Equal(Outcome.Passed, results["other"].Outcome);
    }

    [Fact]
    public async Task A_timed_out_attempt_is_retried()
    {
        var time = new FakeTimeProvider();
        var firstStarted = Runs.NewSignal();
        var job = new Job("retry-timeout").Add(new TaskSpec
        {
            Id = "slow-first",
            Timeout = TimeSpan.FromSeconds(5),
            Retries = 1,
            Action = DelegateAction.From(async (ctx, ct) =>
            {
                if (ctx.Attempt > 1) return "second";
                firstStarted.TrySetResult();
                await new TaskCompletionSource().Task.WaitAsync(ct);
                return "first";
            }),
        });

        await using var run = await JobRun.StartAsync(job, FakeTimeOptions(time), TestContext.Current.CancellationToken);
        await firstStarted.Task.Within();
        time.Advance(TimeSpan.FromSeconds(5));
        var (events, _) = await Runs.DrainWithinAsync(run);

        var retrying = Assert.Single(events.OfType<TaskRetrying>());
        Assert.Equal(Outcome.TimedOut, retrying.Outcome);
        var result = Assert.Single(events.Results());
        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Equal("second", result.Value);
        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public async Task A_command_that_outlives_its_timeout_is_stopped_quickly()
    {
        var job = new Job("sleepy").Add(new TaskSpec { Id = "sleepy", Timeout = TimeSpan.FromMilliseconds(300), Action = new CommandAction("sleep 600") });

        var result = Assert.Single(await Runs.CollectWithinAsync(job));

        Assert.Equal(Outcome.TimedOut, result.Outcome);
        Assert.Equal("timed out after 300ms", result.Reason);
        // Timers may fire a hair early against the stopwatch. The point is that it ended long before the command would
        // have: the run is waited for only up to the tests' patience, far shorter than the command.
        Assert.InRange(result.Duration, TimeSpan.FromMilliseconds(250), Runs.Patience);
    }

    [Fact]
    public async Task The_children_of_a_timed_out_command_are_gone_afterwards()
    {
        var dir = Runs.TempDir();
        Directory.CreateDirectory(dir);
        var pidFile = Path.Combine(dir, "child.pid");
        var job = new Job("children").Add(new TaskSpec
        {
            Id = "spawner",
            Timeout = TimeSpan.FromMilliseconds(300),
            Action = new CommandAction($"bash -c 'sleep 300 & echo $! > {pidFile}; wait'"),
        });

        var result = Assert.Single(await Runs.CollectWithinAsync(job));

        Assert.Equal(Outcome.TimedOut, result.Outcome);
        var child = ReadPid(pidFile);
        Assert.True(await Processes.WaitGoneAsync(child, Runs.Patience), $"child {child} outlived its timed-out task");
    }

    [Fact]
    public async Task A_command_that_ignores_sigterm_is_killed_after_its_grace()
    {
        var dir = Runs.TempDir();
        Directory.CreateDirectory(dir);
        var pidFile = Path.Combine(dir, "pids");
        var job = new Job("deaf").Add(new TaskSpec
        {
            Id = "deaf",
            Timeout = TimeSpan.FromMilliseconds(300),
            Action = new CommandAction($"trap '' TERM; sleep 600 & echo \"$$ $!\" > {Processes.Quote(pidFile)}; wait")
            {
                KillGrace = TimeSpan.FromMilliseconds(400),
            },
        });

        var result = Assert.Single(await Runs.CollectWithinAsync(job));

        Assert.Equal(Outcome.TimedOut, result.Outcome);
        // It could only end by SIGKILL, once the timeout and then the grace had passed (less a hair of timer slack).
        Assert.InRange(result.Duration, TimeSpan.FromMilliseconds(650), Runs.Patience);
        foreach (var pid in File.ReadAllText(pidFile).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)))
        {
            Assert.True(await Processes.WaitGoneAsync(pid, Runs.Patience), $"process {pid} survived SIGKILL");
        }
    }

    [Fact]
    public async Task A_timed_out_command_is_not_reported_before_its_processes_are_stopped()
    {
        // The run's abandon grace is for C# code, which cannot be killed. A command can, and is: its result, and
        // with it the release of its claims, must wait for its own SIGTERM → SIGKILL grace, however long.
        var dir = Runs.TempDir();
        Directory.CreateDirectory(dir);
        var pidFile = Path.Combine(dir, "pid");
        var job = new Job("slow-to-die").Add(new TaskSpec
        {
            Id = "deaf",
            Timeout = TimeSpan.FromMilliseconds(200),
            Claims = ["port-8080"],
            Action = new CommandAction($"trap '' TERM; echo $$ > {Processes.Quote(pidFile)}; sleep 30")
            {
                KillGrace = TimeSpan.FromMilliseconds(800),
            },
        });
        var options = new RunOptions { Workers = 2, StateDirectory = dir, AbandonGrace = TimeSpan.FromMilliseconds(50) };

        var result = Assert.Single(await Runs.CollectWithinAsync(job, options));

        Assert.Equal(Outcome.TimedOut, result.Outcome);
        Assert.Equal("timed out after 200ms", result.Reason);
        Assert.True(Processes.IsGone(ReadPid(pidFile)), "the result came while the command still ran");
    }
}
