using System.Collections.Concurrent;
using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Scheduling;

public class ResumeTests
{
    private readonly ConcurrentDictionary<string, int> _executions = new(StringComparer.Ordinal);
    private readonly FakeRunJournal _journal = new();
    private readonly string _stateDirectory = Runs.TempDir();

    private int Executions(string id) => _executions.GetValueOrDefault(id);

    private TaskSpec Counted(string id, string? version = null, bool fails = false, params string[] needs) => new()
    {
        Id = id,
        Needs = needs,
        Version = version,
        Action = DelegateAction.From(ctx =>
        {
            _executions.AddOrUpdate(ctx.TaskId, 1, (_, n) => n + 1);
            if (fails) throw new InvalidOperationException($"{ctx.TaskId} is broken");
        }),
    };

    private async Task<Dictionary<string, TaskResult>> Run(Job job, bool resume = true)
    {
        var options = new RunOptions { Workers = 2, StateDirectory = _stateDirectory, Journal = _journal, Resume = resume };
        return await Runs.ResultsByIdAsync(job, options);
    }

    [Fact]
    public async Task Passed_tasks_with_the_same_definition_are_reused_and_failed_ones_run_again()
    {
        Job Build(bool cFails) => new Job("build")
            .Add(Counted("a"))
            .Add(Counted("b", needs: "a"))
            .Add(Counted("c", fails: cFails))
            .Add(Counted("after-c", needs: "c"))
            .Add(Counted("d"));

        var first = await Run(Build(cFails: true), resume: false);
        Assert.Equal(Outcome.Failed, first["c"].Outcome);
        Assert.Equal(Outcome.Skipped, first["after-c"].Outcome);

        var second = await Run(Build(cFails: false));

        foreach (var id in new[] { "a", "b", "d" })
        {
            Assert.True(second[id].Reused, id);
            Assert.Equal(Outcome.Passed, second[id].Outcome);
            Assert.Equal("reused from run 1", second[id].Reason);
            Assert.Equal(0, second[id].Attempts);
            Assert.Equal(1, Executions(id));
        }
        Assert.False(second["c"].Reused);
        Assert.Equal(Outcome.Passed, second["c"].Outcome);
        Assert.Equal(2, Executions("c"));
        Assert.Equal(Outcome.Passed, second["after-c"].Outcome);
        Assert.Equal(1, Executions("after-c"));
        Assert.Equal(1, _journal.Runs[1].Record.ResumedFrom);
        Assert.Equal(RunStatus.Passed, _journal.Runs[1].Status);
    }

    [Fact]
    public async Task A_changed_definition_runs_again_and_so_do_its_dependents()
    {
        Job Build(string aVersion) => new Job("versions")
            .Add(Counted("a", aVersion))
            .Add(Counted("b", needs: "a"))
            .Add(Counted("c", needs: "b"))
            .Add(Counted("unrelated"));

        await Run(Build("1"), resume: false);
        var second = await Run(Build("2"));

        Assert.False(second["a"].Reused);
        Assert.False(second["b"].Reused);
        Assert.False(second["c"].Reused);
        Assert.True(second["unrelated"].Reused);
        Assert.Equal(2, Executions("a"));
        Assert.Equal(2, Executions("b"));
        Assert.Equal(2, Executions("c"));
        Assert.Equal(1, Executions("unrelated"));
    }

    [Fact]
    public async Task A_changed_command_runs_again()
    {
        var marker = Path.Combine(_stateDirectory, "ran");
        Job Build(string greeting) => new Job("commands")
            .AddCommand("greet", $"echo {greeting} >> {Processes.Quote(marker)}")
            .Add(new TaskSpec { Id = "env", Action = new CommandAction("true") { Environment = new Dictionary<string, string> { ["X"] = greeting } } })
            .AddCommand("same", "true");
        Directory.CreateDirectory(_stateDirectory);

        await Run(Build("hello"), resume: false);
        var second = await Run(Build("bonjour"));

        Assert.False(second["greet"].Reused);
        Assert.False(second["env"].Reused);
        Assert.True(second["same"].Reused);
        Assert.Equal(["hello", "bonjour"], File.ReadAllLines(marker));
    }

    [Fact]
    public async Task Reuse_carries_over_through_several_resumed_runs_and_keeps_warnings()
    {
        Job Build() => new Job("chain")
            .Add(new TaskSpec { Id = "lint", Action = DelegateAction.From(ctx => { _executions.AddOrUpdate("lint", 1, (_, n) => n + 1); ctx.Report("style", Outcome.Warned); }) })
            .Add(Counted("test", needs: "lint"));

        await Run(Build(), resume: false);
        await Run(Build());
        var third = await Run(Build());

        Assert.True(third["lint"].Reused);
        Assert.Equal(Outcome.Warned, third["lint"].Outcome);
        Assert.Equal("reused from run 1", third["lint"].Reason);
        Assert.True(third["test"].Reused);
        Assert.Equal(1, Executions("lint"));
        Assert.Equal(1, Executions("test"));
    }

    [Fact]
    public async Task Resuming_with_no_earlier_run_runs_everything()
    {
        var results = await Run(new Job("fresh").Add(Counted("a")).Add(Counted("b", needs: "a")));

        Assert.All(results.Values, r => Assert.False(r.Reused));
        Assert.Equal(1, Executions("a"));
        Assert.Null(_journal.Runs[0].Record.ResumedFrom);
    }

    [Fact]
    public async Task Resuming_without_a_journal_is_refused()
    {
        var options = new RunOptions { StateDirectory = _stateDirectory, Resume = true };

        var ex = await Assert.ThrowsAsync<SkeinException>(() => JobRun.StartAsync(new Job("x").Add(Counted("a")), options, TestContext.Current.CancellationToken));

        Assert.Equal("--resume needs the journal, but this run has none.", ex.Message);
        Assert.Equal(0, Executions("a"));
    }

    [Fact]
    public async Task The_journal_records_every_task_once_with_its_attempts()
    {
        var job = new Job("journal")
            .Add(new TaskSpec { Id = "flaky", Retries = 1, Action = DelegateAction.From(ctx => ctx.Attempt == 1 ? throw new InvalidOperationException("once") : 1) })
            .Add(Counted("after", needs: "flaky"))
            .Add(Counted("broken", fails: true))
            .Add(Counted("skipped", needs: "broken"));

        await Run(job, resume: false);

        var run = Assert.Single(_journal.Runs);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(["after", "broken", "flaky", "skipped"], run.Tasks.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["after", "broken", "flaky", "skipped"], run.Finished.Select(r => r.TaskId).Order(StringComparer.Ordinal));
        Assert.Equal([("flaky", 1), ("flaky", 2)], run.AttemptsStarted.Where(a => a.TaskId == "flaky"));
        Assert.Equal([("flaky", 1, Outcome.Failed), ("flaky", 2, Outcome.Passed)], run.AttemptsFinished.Where(a => a.TaskId == "flaky"));
        Assert.DoesNotContain(run.AttemptsStarted, a => a.TaskId == "skipped");
    }
}
