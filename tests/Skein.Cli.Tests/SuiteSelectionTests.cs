using Skein.Cli.Suites;
using Skein.Engine;

namespace Skein.Cli.Tests;

/// <summary>
/// Reading suites and test configurations, selecting experiments and compiling them into a job, and reading results
/// against expectations: in this process, since no process boundary is tested here (<see cref="TestCommandTests"/> runs
/// <c>skein test</c> itself).
/// </summary>
public class SuiteSelectionTests
{
    private static TestSelection? Select(TempDirectory dir, string config, List<ValidationProblem> problems, string[]? only = null, string? suitePath = null)
    {
        var file = dir.Write("test.yaml", config);
        var read = TestConfigReader.Read(file, problems);
        return read is null ? null : TestSelection.Select(read, only, suitePath, problems);
    }

    private static TestSelection SelectValid(TempDirectory dir, string config, string[]? only = null, string? suitePath = null)
    {
        var problems = new List<ValidationProblem>();
        var selection = Select(dir, config, problems, only, suitePath);
        Assert.True(selection is not null && problems.Count == 0, string.Join("\n", problems));
        return selection!;
    }

    [Fact]
    public void Suites_nest_as_a_tree_and_experiments_inherit_their_defaults()
    {
        using var dir = new TempDirectory();
        dir.Write("suites/top/suite.yaml", "name: top\ndefaults: { timeout: 30s, retries: 1, tags: [TOP] }\n");
        dir.Write("suites/top/first.sh", "# skein: description: the first\n# skein: tags: [REQ-1]\necho first\n");
        dir.Write("suites/top/_helper.sh", "echo not an experiment\n");
        dir.Write("suites/top/README.md", "not an experiment\n");
        dir.Write("suites/top/mid/suite.yaml", "name: mid\ndefaults: { timeout: 10s }\n");
        dir.Write("suites/top/mid/low/suite.yaml", "name: low\n");
        dir.Write("suites/top/mid/low/deep.py", "#!/usr/bin/env python3\n# skein: needs: [top::first]\n# skein: timeout: 5s\n# skein: retries: 2\n# skein: claims: [db]\n# skein: on: { labels: { zone: b } }\nprint('deep')\n");

        var selection = SelectValid(dir, "suites: [suites]\n");

        Assert.Equal(["top::first", "top/mid/low::deep"], selection.ToRun.Select(e => e.Id));
        var first = selection.ToRun[0];
        Assert.Equal("the first", first.Description);
        Assert.Equal(["TOP", "REQ-1"], first.Tags);
        Assert.Equal(TimeSpan.FromSeconds(30), first.Timeout);
        Assert.Equal(1, first.Retries);
        Assert.Equal(["bash", Path.Combine(dir.Path, "suites/top/first.sh")], first.Command);
        var deep = selection.ToRun[1];
        Assert.Equal(["top::first"], deep.Needs);
        Assert.Equal(TimeSpan.FromSeconds(5), deep.Timeout);
        Assert.Equal(2, deep.Retries);
        Assert.Equal(["/usr/bin/env", "python3", Path.Combine(dir.Path, "suites/top/mid/low/deep.py")], deep.Command);
    }

    [Fact]
    public void The_job_has_a_task_per_experiment_with_its_scheduling_and_environment()
    {
        using var dir = new TempDirectory();
        dir.Write("s/suite.yaml", "name: s\nexperiments:\n  b: { needs: [a], claims: [db], timeout: 7s, retries: 3, on: { node: node-2 } }\n");
        dir.Write("s/a.sh", "echo a\n");
        dir.Write("s/b.sh", "echo b\n");
        var selection = SelectValid(dir, "name: nightly\nsuites: [s]\ntimeout: 1m\nretries: 1\nparameters: { TARGET: staging }\n");

        var job = TestJobCompiler.Compile(selection, new Dictionary<string, string> { ["SKEIN_STATE"] = "/state" }, dir.File("scratch"));

        Assert.Equal("nightly", job.Name);
        var a = job.Tasks.Single(t => t.Id == "s::a");
        Assert.Equal(TimeSpan.FromMinutes(1), a.Timeout);
        Assert.Equal(1, a.Retries);
        var b = job.Tasks.Single(t => t.Id == "s::b");
        Assert.Equal(["s::a"], b.Needs);
        Assert.Equal(["db"], b.Claims);
        Assert.Equal(TimeSpan.FromSeconds(7), b.Timeout);
        Assert.Equal(3, b.Retries);
        Assert.Equal("node-2", b.Placement?.Node);
        var command = Assert.IsType<CommandAction>(b.Action);
        Assert.Equal(Path.Combine(dir.Path, "s"), command.WorkingDirectory);
        Assert.Equal("staging", command.Environment["TARGET"]);
        Assert.Equal("/state", command.Environment["SKEIN_STATE"]);
        Assert.Equal("s::b", command.Environment[TestJobCompiler.ExperimentVariable]);
        Assert.Empty(JobValidator.Plan(job, null).Problems);
    }

    [Fact]
    public void An_edited_script_makes_a_new_definition_so_resume_runs_it_again()
    {
        using var dir = new TempDirectory();
        dir.Write("s/suite.yaml", "name: s\n");
        dir.Write("s/a.sh", "echo one\n");
        string VersionOfA() => TestJobCompiler.Compile(SelectValid(dir, "suites: [s]\n"), new Dictionary<string, string>(), dir.File("scratch")).Tasks.Single().Version!;

        var before = VersionOfA();
        Assert.Equal(before, VersionOfA());
        dir.Write("s/a.sh", "echo two\n");

        Assert.NotEqual(before, VersionOfA());
    }

    [Fact]
    public void A_malformed_suite_file_and_script_header_are_named_with_file_and_line()
    {
        using var dir = new TempDirectory();
        var suiteFile = dir.Write("s/suite.yaml", "name: s\ndefaults:\n  timeout: soon\nexperiment: {}\n");
        var script = dir.Write("s/x.sh", "#!/bin/bash\n# skein: description: fine\n# skein: retries: many\necho x\n");
        var problems = new List<ValidationProblem>();

        Assert.Null(Select(dir, "suites: [s]\n", problems));

        Assert.Contains(problems, p => p.Location is { Line: 3 } at && at.File == suiteFile && p.Message.Contains("'timeout' in defaults must be a duration"));
        Assert.Contains(problems, p => p.Location is { Line: 4 } at && at.File == suiteFile && p.Message.Contains("did you mean 'experiments'?"));
        Assert.Contains(problems, p => p.Location is { Line: 3 } at && at.File == script && p.Message.Contains("'retries'"));
    }

    [Fact]
    public void Only_selects_experiments_and_suites_and_names_what_does_not_exist()
    {
        using var dir = new TempDirectory();
        dir.Write("s/suite.yaml", "name: s\n");
        dir.Write("s/a.sh", "echo a\n");
        dir.Write("s/b.sh", "# skein: needs: [a]\necho b\n");
        dir.Write("s/inner/suite.yaml", "name: inner\n");
        dir.Write("s/inner/c.sh", "echo c\n");

        Assert.Equal(["s::a", "s::b"], SelectValid(dir, "suites: [s]\n", only: ["s::b"]).ToRun.Select(e => e.Id));
        Assert.Equal(["s/inner::c"], SelectValid(dir, "suites: [s]\n", only: ["s/inner"]).ToRun.Select(e => e.Id));

        var problems = new List<ValidationProblem>();
        Assert.Null(Select(dir, "suites: [s]\n", problems, only: ["s::bb"]));
        Assert.Contains(problems, p => p.Message.Contains("--only s::bb: no such experiment; did you mean 's::b'?"));
    }

    [Fact]
    public void Suites_named_by_name_are_found_on_the_suite_path()
    {
        using var dir = new TempDirectory();
        dir.Write("elsewhere/shared/suite.yaml", "name: shared\n");
        dir.Write("elsewhere/shared/ok.sh", "echo ok\n");
        dir.Write("more/extra/suite.yaml", "name: extra\n");
        dir.Write("more/extra/one.sh", "echo one\n");

        var selection = SelectValid(dir, "suites: [shared]\nsuite-path: [elsewhere]\nexperiments: ['extra::one']\n", suitePath: dir.File("more"));

        Assert.Equal(["shared::ok", "extra::one"], selection.ToRun.Select(e => e.Id));
        var problems = new List<ValidationProblem>();
        Assert.Null(Select(dir, "suites: [sharde]\nsuite-path: [elsewhere]\n", problems));
        Assert.Contains(problems, p => p.Message.Contains("no suite 'sharde'") && p.Message.Contains("did you mean 'shared'?") && p.Location is { Line: 1 });
    }

    [Fact]
    public void Skips_and_expected_failures_decide_the_verdict()
    {
        using var dir = new TempDirectory();
        dir.Write("s/suite.yaml", "name: s\n");
        foreach (var name in new[] { "ok", "broken", "fixed", "flaky", "after" }) dir.Write($"s/{name}.sh", "exit 0\n");
        dir.Write("s/after.sh", "# skein: needs: [flaky]\nexit 0\n");
        var selection = SelectValid(dir, """
            suites: [s]
            skip: { 's::flaky': unstable }
            expected-failures: { 's::broken': bug 12, 's::fixed': bug 13 }
            """);

        Assert.Equal(["s::broken", "s::fixed", "s::ok"], selection.ToRun.Select(e => e.Id));
        Assert.Equal(["s::flaky", "s::after"], selection.Skipped.Select(s => s.Experiment.Id));
        Assert.Contains("needs s::flaky", selection.Skipped[1].Reason);

        TaskResult Result(string id, Outcome outcome) => new() { TaskId = id, Outcome = outcome, Reason = outcome == Outcome.Failed ? "exit code 1" : null };
        var failedAsExpected = TestVerdicts.Apply(selection, [Result("s::ok", Outcome.Passed), Result("s::broken", Outcome.Failed), Result("s::fixed", Outcome.TimedOut)]);
        Assert.True(TestVerdicts.AllAsExpected(selection, failedAsExpected));
        Assert.Equal("expected failure (bug 12): failed: exit code 1", failedAsExpected.Single(r => r.TaskId == "s::broken").Reason);
        Assert.Equal(Outcome.Skipped, failedAsExpected.Single(r => r.TaskId == "s::flaky").Outcome);

        var passedUnexpectedly = TestVerdicts.Apply(selection, [Result("s::ok", Outcome.Passed), Result("s::broken", Outcome.Failed), Result("s::fixed", Outcome.Passed)]);
        Assert.False(TestVerdicts.AllAsExpected(selection, passedUnexpectedly));
        var fixedOne = passedUnexpectedly.Single(r => r.TaskId == "s::fixed");
        Assert.Equal(Outcome.Failed, fixedOne.Outcome);
        Assert.StartsWith("unexpectedly passed", fixedOne.Reason);

        var problems = new List<ValidationProblem>();
        Assert.Null(Select(dir, "suites: [s]\nexpected-failures: ['s::brokn']\n", problems));
        Assert.Contains(problems, p => p.Message.Contains("'expected-failures' names 's::brokn'") && p.Message.Contains("did you mean 's::broken'?"));
    }

    [Fact]
    public void A_failed_experiments_reason_names_the_checks_that_failed()
    {
        using var dir = new TempDirectory();
        dir.Write("s/suite.yaml", "name: s\n");
        dir.Write("s/checks.sh", "exit 0\n");
        dir.Write("s/plain.sh", "exit 0\n");
        var selection = SelectValid(dir, "suites: [s]\n");
        SubResult[] checks = [new("connects", Outcome.Passed), new("same-object", Outcome.Failed, "ids 3 and 4"), new("stack", Outcome.Failed)];

        var applied = TestVerdicts.Apply(selection, [
            new TaskResult { TaskId = "s::checks", Outcome = Outcome.Failed, Reason = "exit code 1: ::result name=stack outcome=failed", ExitCode = 1, SubResults = checks },
            new TaskResult { TaskId = "s::plain", Outcome = Outcome.Failed, Reason = "exit code 3", ExitCode = 3 },
        ]);

        Assert.Equal("failed checks: same-object (ids 3 and 4), stack; exit code 1: ::result name=stack outcome=failed", applied.Single(r => r.TaskId == "s::checks").Reason);
        Assert.Equal("exit code 3", applied.Single(r => r.TaskId == "s::plain").Reason);
    }

    [Fact]
    public void A_configuration_with_unknown_keys_or_no_suites_is_refused_where_it_is_wrong()
    {
        using var dir = new TempDirectory();
        var problems = new List<ValidationProblem>();

        Assert.Null(Select(dir, "sutes: [s]\ncluster: { nodes: 0 }\n", problems));

        Assert.Contains(problems, p => p.Location is { Line: 1 } && p.Message.Contains("did you mean 'suites'?"));
        Assert.Contains(problems, p => p.Location is { Line: 2 } && p.Message.Contains("'nodes' in cluster"));
        Assert.Contains(problems, p => p.Message.Contains("names no 'suites' and no 'experiments'"));
    }
}
