using Microsoft.Data.Sqlite;
using Skein.Engine.Journal;
using Skein.Engine.Tests.JobFiles;
using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Scheduling;

/// <summary>Outputs: set by one task (<c>::output</c>, SetOutput, an executor's result), read by its dependents.</summary>
public class OutputTests : IDisposable
{
    private readonly string _dir = Runs.TempDir();

    public OutputTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name) => Path.Combine(_dir, name);

    private Job Load(string yaml) => JobFileAssert.Valid(yaml, _dir);

    private static RunOptions Options(string? state = null, bool resume = false, IRunJournal? journal = null, ITaskExecutor? executor = null) => new()
    {
        Workers = 2,
        StateDirectory = state ?? Runs.TempDir(),
        Resume = resume,
        Journal = journal,
        Executor = executor ?? InProcessExecutor.Instance,
    };

    [Fact]
    public async Task A_commands_outputs_reach_a_dependents_run_and_env_quoted_as_the_text_they_are()
    {
        // The value is shell syntax: quoted like every placeholder, it reaches the command as text and runs nothing.
        const string tricky = "1.4.2 $(touch pwned) 'q' \"d\" `x` ; *";
        System.IO.File.WriteAllText(File("value.txt"), tricky);
        var job = Load("""
            name: outputs
            tasks:
              build:
                run: |
                  printf '::output version=%s\n' "$(cat value.txt)"
                  echo '::output empty='
                  echo "::output  spaced = kept as written "
              use:
                needs: [build]
                env: { VERSION: "v={{tasks.build.outputs.version}}" }
                run: |
                  printf '%s' {{tasks.build.outputs.version}} > arg.txt
                  printf '%s' "in quotes {{tasks.build.outputs.version}}" > quoted.txt
                  printf '%s' "$VERSION" > env.txt
                  printf '[%s]' {{tasks.build.outputs.empty}} > empty.txt
            """);

        var results = await Runs.ResultsByIdAsync(job, Options());

        Assert.Equal(Outcome.Passed, results["build"].Outcome);
        Assert.Equal(tricky, results["build"].Outputs["version"]);
        Assert.Equal("", results["build"].Outputs["empty"]);
        Assert.Equal(" kept as written ", results["build"].Outputs["spaced"]);
        Assert.Equal(Outcome.Passed, results["use"].Outcome);
        Assert.Equal(tricky, System.IO.File.ReadAllText(File("arg.txt")));
        Assert.Equal("in quotes " + tricky, System.IO.File.ReadAllText(File("quoted.txt")));
        Assert.Equal("v=" + tricky, System.IO.File.ReadAllText(File("env.txt")));
        Assert.Equal("[]", System.IO.File.ReadAllText(File("empty.txt")));
        Assert.False(System.IO.File.Exists(File("pwned")), "a value ran as code");
    }

    [Fact]
    public async Task Raw_pastes_the_value_as_code()
    {
        var job = Load("""
            name: raw
            tasks:
              pick: { run: "echo '::output cmd=echo pasted > raw.txt'" }
              use: { needs: [pick], run: "{{raw tasks.pick.outputs.cmd}}" }
            """);

        var results = await Runs.ResultsByIdAsync(job, Options());

        Assert.Equal(Outcome.Passed, results["use"].Outcome);
        Assert.Equal("pasted\n", System.IO.File.ReadAllText(File("raw.txt")));
    }

    [Fact]
    public async Task An_output_the_task_did_not_set_fails_the_reader_once_with_the_reason()
    {
        var job = Load("""
            name: missing
            tasks:
              build: { run: "echo '::output other=1'" }
              use: { needs: [build], retries: 3, run: "touch ran", env: { V: "{{tasks.build.outputs.version}}" } }
            """);

        var results = await Runs.ResultsByIdAsync(job, Options());

        Assert.Equal(Outcome.Failed, results["use"].Outcome);
        Assert.Equal("task 'build' set no output 'version'", results["use"].Reason);
        Assert.Equal(1, results["use"].Attempts); // no retry can make the output appear
        Assert.False(System.IO.File.Exists(File("ran")));
    }

    [Fact]
    public async Task A_transitive_need_may_be_read()
    {
        var job = Load("""
            name: transitive
            tasks:
              a: { run: "echo '::output v=from-a'" }
              b: { needs: [a], run: "true" }
              c: { needs: [b], run: "printf %s {{tasks.a.outputs.v}} > c.txt" }
            """);

        var results = await Runs.ResultsByIdAsync(job, Options());

        Assert.Equal(Outcome.Passed, results["c"].Outcome);
        Assert.Equal("from-a", System.IO.File.ReadAllText(File("c.txt")));
    }

    [Fact]
    public async Task A_factory_copy_reads_the_outputs_of_the_copy_its_placeholders_name()
    {
        var job = Load("""
            name: per-os
            tasks:
              "build-{{matrix.os}}":
                matrix: { os: [linux, mac] }
                run: echo "::output v=built-for-{{matrix.os}}"
              "test-{{matrix.os}}":
                matrix: { os: [linux, mac] }
                needs: ["build-{{matrix.os}}"]
                run: printf %s {{tasks.build-{{matrix.os}}.outputs.v}} > test-{{matrix.os}}.txt
            """);

        var results = await Runs.ResultsByIdAsync(job, Options());

        Assert.All(results.Values, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Equal("built-for-linux", System.IO.File.ReadAllText(File("test-linux.txt")));
        Assert.Equal("built-for-mac", System.IO.File.ReadAllText(File("test-mac.txt")));
    }

    [Fact]
    public async Task Validation_refuses_a_reference_to_a_task_outside_the_needs_or_unknown_naming_where()
    {
        var result = JobFileAssert.Parse("""
            name: refs
            tasks:
              a: { run: "echo '::output v=1'" }
              b:
                run: echo {{tasks.a.outputs.v}}
              c:
                needs: [a]
                run: "true"
                env:
                  X: "{{tasks.nosuch.outputs.v}}"
              d:
                needs: [a]
                run: echo \{{tasks.a.outputs.v}}
            """, _dir);
        Assert.Empty(result.Problems);

        var ex = await Assert.ThrowsAsync<JobValidationException>(() => JobRun.StartAsync(result.Job!, Options(), TestContext.Current.CancellationToken));

        Assert.Contains(ex.Problems, p => p.Message.Contains("task 'b' reads '{{tasks.a.outputs.v}}', but 'a' is not among its needs", StringComparison.Ordinal)
                                          && p.Location == JobFileAssert.At(5, 5));
        Assert.Contains(ex.Problems, p => p.Message.Contains("there is no task 'nosuch'", StringComparison.Ordinal) && p.Location == JobFileAssert.At(10, 7));
        Assert.Contains(ex.Problems, p => p.Message.Contains("follows a backslash", StringComparison.Ordinal) && p.Location == JobFileAssert.At(13, 5));
        Assert.Equal(3, ex.Problems.Count);
        Assert.Equal(3, JobValidator.Plan(result.Job!).Problems.Count);
    }

    [Fact]
    public void Outputs_are_read_only_in_run_and_env()
    {
        var result = JobFileAssert.Parse("""
            name: where
            tasks:
              a: { run: "true" }
              b: { needs: [a], run: "true", workdir: "{{tasks.a.outputs.dir}}" }
            """);

        JobFileAssert.Error(result, 4, 42, "reads a task's output, which only 'run' and 'env' can");
    }

    [Fact]
    public async Task Bad_output_lines_error_the_task_and_name_the_rule()
    {
        var job = Load($$"""
            name: bounds
            tasks:
              bad-name: { run: "echo '::output 1version=x'" }
              no-equals: { run: "echo '::output version'" }
              too-big: { run: "printf '::output big=%0{{TaskOutputs.MaxValueBytes + 1}}d\n' 0" }
              too-many: { run: "for i in $(seq 0 {{TaskOutputs.MaxCount}}); do echo \"::output o$i=$i\"; done" }
            """);

        var results = await Runs.ResultsByIdAsync(job, Options());

        Assert.All(results.Values, r => Assert.Equal(Outcome.Errored, r.Outcome));
        Assert.Contains("'1version' is not an output name", results["bad-name"].Reason);
        Assert.Contains("malformed output line", results["no-equals"].Reason);
        Assert.Contains("an output holds at most 32 KiB", results["too-big"].Reason);
        Assert.Contains($"output 'o{TaskOutputs.MaxCount}' was ignored: a task sets at most {TaskOutputs.MaxCount} outputs", results["too-many"].Reason);
        Assert.Equal(TaskOutputs.MaxCount, results["too-many"].Outputs.Count);
    }

    [Fact]
    public async Task Csharp_tasks_set_and_read_outputs_beside_commands()
    {
        string? seen = null;
        IReadOnlyDictionary<string, string>? all = null;
        var job = new Job("mixed")
            .Add(new TaskSpec { Id = "version", Action = DelegateAction.From(ctx => ctx.SetOutput("v", "2.0")) })
            .Add(new TaskSpec { Id = "cmd", Needs = ["version"], Action = new CommandAction("echo \"::output doubled={{tasks.version.outputs.v}}{{tasks.version.outputs.v}}\"") { WorkingDirectory = _dir } })
            .Add(new TaskSpec
            {
                Id = "read", Needs = ["cmd"],
                Action = DelegateAction.From(ctx =>
                {
                    seen = ctx.GetOutput("cmd", "doubled");
                    all = ctx.GetOutputs("version");
                    Assert.Throws<MissingOutputException>(() => ctx.GetOutput("cmd", "nope"));
                    Assert.Throws<ArgumentException>(() => ctx.SetOutput("no spaces", "x"));
                    Assert.Throws<ArgumentException>(() => ctx.SetOutput("nul", "a\0b"));
                }),
            });

        var results = await Runs.ResultsByIdAsync(job, Options());

        Assert.All(results.Values, r => Assert.Equal(Outcome.Passed, r.Outcome));
        Assert.Equal("2.02.0", seen);
        Assert.Equal("2.0", Assert.Single(all!).Value);
    }

    /// <summary>Stands in for a cluster executor: records the attempt it would ship, answers with outputs of its own.</summary>
    private sealed class RemoteLike : ITaskExecutor
    {
        public List<CommandSpec> Shipped { get; } = [];

        public ValueTask<ActionResult> RunAsync(TaskAttempt attempt, IAttemptReporter reporter, CancellationToken cancellationToken)
        {
            lock (Shipped) Shipped.Add(attempt.Command!);
            var outputs = attempt.TaskId switch
            {
                "build" => new Dictionary<string, string> { ["version"] = "9.9 it's" },
                "flood" => Enumerable.Range(0, TaskOutputs.MaxCount + 1).ToDictionary(i => $"o{i}", i => "x"),
                _ => new Dictionary<string, string>(),
            };
            return ValueTask.FromResult(new ActionResult(Outcome.Passed) { Outputs = outputs });
        }
    }

    [Fact]
    public async Task An_executor_returns_outputs_and_receives_the_resolved_command()
    {
        var executor = new RemoteLike();
        var job = new Job("remote")
            .Add(new TaskSpec { Id = "build", Action = new CommandAction("exit 9") })
            .Add(new TaskSpec
            {
                Id = "deploy", Needs = ["build"],
                Action = new CommandAction("deploy --version {{tasks.build.outputs.version}}")
                {
                    Environment = new Dictionary<string, string> { ["V"] = "{{tasks.build.outputs.version}}", ["PLAIN"] = "p" },
                },
            })
            .Add(new TaskSpec { Id = "flood", Action = new CommandAction("exit 9") });

        var results = await Runs.ResultsByIdAsync(job, Options(executor: executor));

        Assert.Equal(Outcome.Passed, results["deploy"].Outcome);
        var deploy = executor.Shipped.Single(s => s.Command.StartsWith("deploy", StringComparison.Ordinal));
        Assert.Equal("deploy --version '9.9 it'\\''s'", deploy.Command);
        Assert.Equal("9.9 it's", deploy.Environment["V"]);
        Assert.Equal("p", deploy.Environment["PLAIN"]);
        // The definition (and its --resume hash) keeps the reference, not the value.
        Assert.Contains("{{tasks.build.outputs.version}}", ((CommandAction)job.Tasks[1].Action).Command);
        Assert.Equal(Outcome.Errored, results["flood"].Outcome);
        Assert.Contains($"a task sets at most {TaskOutputs.MaxCount}", results["flood"].Reason);
    }

    [Fact]
    public async Task Resume_gives_dependents_the_outputs_of_reused_tasks_and_the_journal_keeps_them()
    {
        var state = Runs.TempDir();
        Job Build() => Load("""
            name: resumed
            tasks:
              build: { run: "echo run >> build.count; echo '::output version=1.4.2'" }
              use: { needs: [build], run: "test -f go && printf %s {{tasks.build.outputs.version}} > use.txt" }
            """);

        async Task<Dictionary<string, TaskResult>> RunAsync(bool resume)
        {
            await using var journal = SqliteRunJournal.Open(state);
            return await Runs.ResultsByIdAsync(Build(), Options(state, resume, journal));
        }

        var first = await RunAsync(resume: false);
        Assert.Equal(Outcome.Failed, first["use"].Outcome);

        System.IO.File.WriteAllText(File("go"), "");
        var second = await RunAsync(resume: true);
        Assert.True(second["build"].Reused);
        Assert.Equal("1.4.2", second["build"].Outputs["version"]);
        Assert.Equal(Outcome.Passed, second["use"].Outcome);
        Assert.Equal("1.4.2", System.IO.File.ReadAllText(File("use.txt")));
        Assert.Equal("run\n", System.IO.File.ReadAllText(File("build.count")));

        // Resuming the resumed run: the outputs came along with the reused result.
        System.IO.File.Delete(File("use.txt"));
        var third = await RunAsync(resume: true);
        Assert.True(third["build"].Reused);
        Assert.Equal("1.4.2", third["build"].Outputs["version"]);

        using var reader = JournalReader.Open(state);
        var run = await reader.GetRunAsync(2, TestContext.Current.CancellationToken);
        Assert.Equal("1.4.2", run.Tasks.Single(t => t.TaskId == "build").Outputs["version"]);
    }

    [Fact]
    public async Task A_journal_from_before_outputs_is_read_and_gains_the_table_when_written()
    {
        var state = Runs.TempDir();
        var job = new Job("old").Add(new TaskSpec { Id = "a", Action = DelegateAction.From(ctx => ctx.SetOutput("v", "1")) });
        await using (var journal = SqliteRunJournal.Open(state))
        {
            await Runs.CollectWithinAsync(job, Options(state, journal: journal));
        }
        // As a journal written before outputs existed.
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(state, "journal.db")};Pooling=False"))
        {
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE outputs";
            drop.ExecuteNonQuery();
        }

        using (var reader = JournalReader.Open(state))
        {
            var run = await reader.GetRunAsync(1, TestContext.Current.CancellationToken);
            Assert.Empty(run.Tasks.Single().Outputs);
        }

        await using (var journal = SqliteRunJournal.Open(state))
        {
            var results = await Runs.ResultsByIdAsync(job, Options(state, resume: true, journal: journal));
            Assert.True(results["a"].Reused);
        }
        using (var reader = JournalReader.Open(state))
        {
            await reader.GetRunAsync(2, TestContext.Current.CancellationToken);
        }
    }
}
