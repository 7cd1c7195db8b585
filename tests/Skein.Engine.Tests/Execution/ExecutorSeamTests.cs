using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Execution;

/// <summary>The run hands every attempt to the executor in its options, and what the executor reports drives the run.</summary>
public class ExecutorSeamTests
{
    /// <summary>Runs nothing: answers each attempt from a script, and remembers what it was given.</summary>
    private sealed class ScriptedExecutor(Func<TaskAttempt, IAttemptReporter, CancellationToken, ValueTask<ActionResult>> script) : ITaskExecutor
    {
        public ConcurrentQueue<(string TaskId, int Number, long RunId, TimeSpan? Timeout, DateTimeOffset? Deadline, CommandSpec? Command)> Received { get; } = new();

        public ValueTask<ActionResult> RunAsync(TaskAttempt attempt, IAttemptReporter reporter, CancellationToken cancellationToken)
        {
            Received.Enqueue((attempt.TaskId, attempt.Number, attempt.RunId, attempt.Timeout, attempt.Deadline, (attempt.Task.Action as CommandAction)?.Spec));
            return script(attempt, reporter, cancellationToken);
        }
    }

    private static CommandAction Command(string command) => new(command) { WorkingDirectory = "/nowhere", Environment = new Dictionary<string, string> { ["MODE"] = "ci" } };

    [Fact]
    public async Task A_custom_executor_receives_every_attempt_and_its_outcomes_drive_retries_needs_and_results()
    {
        // Every command would fail if it ran here: the outcomes can only come from the executor.
        var job = new Job("seam")
            .Add(new TaskSpec { Id = "build", Action = Command("exit 9") })
            .Add(new TaskSpec { Id = "test", Needs = ["build"], Retries = 2, Timeout = TimeSpan.FromMinutes(5), Action = Command("exit 9") })
            .Add(new TaskSpec { Id = "deploy", Needs = ["test"], Action = Command("exit 9") })
            .Add(new TaskSpec { Id = "lint", Action = Command("exit 9") })
            .Add(new TaskSpec { Id = "publish", Needs = ["lint"], Action = Command("exit 9") });
        var executor = new ScriptedExecutor((attempt, reporter, _) =>
        {
            switch (attempt.TaskId)
            {
                case "build":
                    reporter.Report("unit", Outcome.Warned, "2 flaky");
                    return ValueTask.FromResult(ActionResult.Passed());
                case "test" when attempt.Number == 1:
                    return ValueTask.FromResult(ActionResult.Failed("exit code 1", exitCode: 1));
                case "lint":
                    return ValueTask.FromResult(new ActionResult(Outcome.Errored, "node lost"));
                default:
                    return ValueTask.FromResult(ActionResult.Passed(attempt.Number));
            }
        });
        var journal = new FakeRunJournal();
        var options = new RunOptions { StateDirectory = Runs.TempDir(), Journal = journal, Executor = executor, ReportStarts = true };

        await using var run = await JobRun.StartAsync(job, options, TestContext.Current.CancellationToken);
        var (events, summary) = await Runs.DrainWithinAsync(run);
        var results = events.Results().ToDictionary(r => r.TaskId);

        Assert.Equal(
            ["build#1", "deploy#1", "lint#1", "test#1", "test#2"],
            executor.Received.Select(r => $"{r.TaskId}#{r.Number}").Order(StringComparer.Ordinal));
        Assert.All(executor.Received, r => Assert.Equal(run.RunId, r.RunId));
        Assert.All(executor.Received, r => Assert.Equal(new CommandSpec { Command = "exit 9", WorkingDirectory = "/nowhere", Environment = new Dictionary<string, string> { ["MODE"] = "ci" } }, r.Command));
        var test = executor.Received.Where(r => r.TaskId == "test").ToList();
        Assert.All(test, r => Assert.Equal(TimeSpan.FromMinutes(5), r.Timeout));
        Assert.All(test, r => Assert.NotNull(r.Deadline));
        Assert.Null(executor.Received.Single(r => r.TaskId == "build").Deadline);

        Assert.Equal(Outcome.Warned, results["build"].Outcome);
        Assert.Equal("unit", Assert.Single(results["build"].SubResults).Name);
        Assert.Equal(Outcome.Passed, results["test"].Outcome);
        Assert.Equal(2, results["test"].Attempts);
        Assert.Equal(2, results["test"].Value);
        Assert.Equal(1, Assert.Single(events.OfType<TaskRetrying>()).FailedAttempt);
        Assert.Equal(Outcome.Passed, results["deploy"].Outcome);
        Assert.Equal(Outcome.Errored, results["lint"].Outcome);
        Assert.Equal("node lost", results["lint"].Reason);
        Assert.Equal(Outcome.Skipped, results["publish"].Outcome);
        Assert.Equal("needs 'lint', which errored", results["publish"].Reason);
        Assert.Equal(RunStatus.Failed, summary.Status);
        Assert.Equal(5, Assert.Single(journal.Runs).AttemptsStarted.Count);
    }

    [Fact]
    public async Task An_executor_that_throws_fails_the_attempt_and_the_task_is_retried()
    {
        var job = new Job("throws").Add(new TaskSpec { Id = "t", Retries = 1, Action = Command("true") });
        var executor = new ScriptedExecutor((attempt, _, _) =>
            attempt.Number == 1 ? throw new IOException("connection to node refused") : ValueTask.FromResult(ActionResult.Passed()));

        var result = Assert.Single(await Runs.CollectWithinAsync(job, new RunOptions { StateDirectory = Runs.TempDir(), Executor = executor }));

        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public async Task The_run_times_out_an_attempt_on_any_executor_by_cancelling_its_token()
    {
        var time = new FakeTimeProvider();
        var started = Runs.NewSignal();
        var executor = new ScriptedExecutor(async (_, _, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return ActionResult.Passed();
        });
        var job = new Job("slow").Add(new TaskSpec { Id = "slow", Timeout = TimeSpan.FromSeconds(30), Action = Command("sleep 300") });
        var options = new RunOptions { StateDirectory = Runs.TempDir(), TimeProvider = time, Executor = executor };

        await using var run = await JobRun.StartAsync(job, options, TestContext.Current.CancellationToken);
        await started.Task.Within();
        time.Advance(TimeSpan.FromSeconds(30));
        var (events, _) = await Runs.DrainWithinAsync(run);

        var result = Assert.Single(events.Results());
        Assert.Equal(Outcome.TimedOut, result.Outcome);
        Assert.Equal("timed out after 30s", result.Reason);
    }

    [Fact]
    public void A_command_declares_how_soon_it_stops_and_a_delegate_does_not()
    {
        ITaskAction command = new CommandAction("true") { KillGrace = TimeSpan.FromSeconds(3) };
        ITaskAction code = DelegateAction.From(_ => 1);

        Assert.True(command.StopsWithin > TimeSpan.FromSeconds(3));
        Assert.Null(code.StopsWithin);
    }

    [Fact]
    public void A_command_round_trips_through_json_as_data_unchanged()
    {
        var original = new CommandAction("./test.sh --shard 2")
        {
            WorkingDirectory = "/src/app",
            Environment = new Dictionary<string, string> { ["LANG"] = "C.UTF-8", ["EMPTY"] = "" },
            WarnExitCodes = [2, 3],
            KillGrace = TimeSpan.FromMilliseconds(1500),
        };

        var json = JsonSerializer.Serialize(original.Spec);
        var back = JsonSerializer.Deserialize<CommandSpec>(json)!;
        var rebuilt = new CommandAction(back);

        Assert.Equal(original.Spec, back);
        Assert.Equal(original.Fingerprint, rebuilt.Fingerprint);
        Assert.Equal(original.StopsWithin, rebuilt.StopsWithin);
        Assert.Equal("C.UTF-8", rebuilt.Environment["LANG"]);
        Assert.Equal([2, 3], rebuilt.WarnExitCodes);
        Assert.NotEqual(original.Spec, back with { Environment = new Dictionary<string, string> { ["LANG"] = "C" } });
    }

    [Fact]
    public void A_command_from_a_job_file_is_data_that_round_trips_unchanged()
    {
        var job = JobFiles.JobFileAssert.Valid("""
            name: n
            tasks:
              t:
                run: make a
                workdir: sub
                env: { A: "1" }
                kill-grace: 2s
                warn-exit-codes: [4]
            """);
        var spec = JobFiles.JobFileAssert.Command(job, "t").Spec;

        var back = JsonSerializer.Deserialize<CommandSpec>(JsonSerializer.Serialize(spec));

        Assert.Equal(spec, back);
        Assert.Equal("make a", back!.Command);
        Assert.Equal(TimeSpan.FromSeconds(2), back.KillGrace);
    }
}
