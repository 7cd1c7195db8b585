using Skein.Engine;
using Skein.Engine.Journal;

namespace Skein.Pipelines.Tests.Running;

public sealed class RunTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"skein-pipelines-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_state)) Directory.Delete(_state, recursive: true);
    }

    private PipelineRunOptions Options(IRunJournal? journal = null, bool resume = false) =>
        new() { Run = new RunOptions { StateDirectory = _state, Journal = journal, Resume = resume, Workers = 2 } };

    private Task<PipelineRunResult> RunAsync(Pipeline pipeline, PipelineRunOptions? options = null) =>
        PipelineRunner.RunAsync(pipeline, options ?? Options(), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Values_flow_through_four_elements_converted_to_each_input()
    {
        var result = await RunAsync(TestPipelines.Build("sums"));

        Assert.True(result.Succeeded, string.Join("; ", result.Elements));
        Assert.Equal([1, 2, 3, 4], result["numbers"].Output<List<int>>("samples"));
        Assert.Equal([2.0, 4, 6, 8], result["scale"].Output<double[]>("samples"));
        Assert.Equal(20.0, result["sum"].Output<double>("total"));
        Assert.Equal("total: 20 over 4", result["report"].Output<string>("text"));
        // One output feeds many inputs.
        Assert.Equal("total: 20 over 4", result["again"].Output<string>("text"));
    }

    [Fact]
    public void The_job_has_a_task_per_element_needing_its_sources_with_the_elements_settings()
    {
        var scale = new Scale().On("node-2").WithTimeout(TimeSpan.FromMinutes(3)).WithRetries(2).WithClaims("gpu")
            .WithResources(new TaskResources { Cores = 2 });
        var job = PipelineCompiler.Compile(new Pipeline("compiled", new Numbers() >> scale >> new Sum()));

        Assert.Equal("compiled", job.Name);
        Assert.Equal(["numbers", "scale", "sum"], job.Tasks.Select(t => t.Id));
        var task = job.Tasks[1];
        Assert.Equal(["numbers"], task.Needs);
        Assert.Equal("node-2", task.Placement!.Node);
        Assert.Equal(TimeSpan.FromMinutes(3), task.Timeout);
        Assert.Equal(2, task.Retries);
        Assert.Equal(["gpu"], task.Claims);
        Assert.Equal(2, task.Resources.Cores);
        var action = Assert.IsType<PipelineElementAction>(task.Action);
        Assert.Equal("Skein.Pipelines", action.EntryAssembly);
        Assert.Equal(typeof(ElementEntry).FullName, action.EntryType);
    }

    [Fact]
    public async Task An_invalid_pipeline_is_refused_before_anything_runs()
    {
        Echo.Runs = 0;
        var check = await Assert.ThrowsAsync<PipelineCheckException>(() => RunAsync(new Pipeline("bad", new Echo(), new Numbers() >> new Scale()["total"])));

        Assert.Equal(3, check.Problems.Count);
        Assert.Contains("echo.label (string) has no source", check.Message);
        Assert.Contains("scale has no input 'total'", check.Message);
        Assert.Contains("scale.samples (IReadOnlyList<double>) has no source", check.Message);
        Assert.Equal(0, Echo.Runs);
    }

    [Fact]
    public async Task Invocations_run_each_in_a_fresh_directory_and_hand_on_the_lists_of_their_values()
    {
        var recorded = new Recorded().Invocations(3);

        var result = await RunAsync(new Pipeline("invocations", recorded));

        Assert.True(result.Succeeded, result["recorded"].ToString());
        Assert.Equal([1, 2, 3], result["recorded"].Output<int[]>("invocation"));
        var directories = result["recorded"].Output<string[]>("directory");
        Assert.Equal(3, directories.Distinct().Count());
        Assert.All(directories, d => Assert.StartsWith(Path.GetFullPath(_state), d));
        Assert.Equal(["setup", "run 1", "run 2", "run 3", "teardown"], recorded.Events);
    }

    [Fact]
    public async Task Hooks_set_up_in_order_and_tear_down_in_reverse_around_the_element()
    {
        var recorded = new Recorded().Hooked("first").Hooked("second");

        var result = await RunAsync(new Pipeline("hooks", recorded));

        Assert.True(result.Succeeded);
        Assert.Equal(["first setup", "second setup", "setup", "run 1", "teardown", "second teardown", "first teardown"], recorded.Events);
    }

    [Fact]
    public async Task Teardown_runs_when_the_run_throws()
    {
        var recorded = new Recorded { Mode = "throw" }.Hooked("tool");

        var result = await RunAsync(new Pipeline("throws", recorded));

        Assert.Equal(Outcome.Failed, result["recorded"].Outcome);
        Assert.Contains("the workload broke", result["recorded"].Result.Reason);
        Assert.Equal(["tool setup", "setup", "run 1", "teardown", "tool teardown"], recorded.Events);
    }

    [Fact]
    public async Task Teardown_runs_when_the_element_times_out()
    {
        // The run waits for the token, which only the timeout fires: the outcome says the timeout was what ended it.
        var recorded = new Recorded { Mode = "hang" }.Hooked("tool").WithTimeout(TimeSpan.FromMilliseconds(200));

        var result = await RunAsync(new Pipeline("hangs", recorded));

        Assert.Equal(Outcome.TimedOut, result["recorded"].Outcome);
        Assert.Equal(["tool setup", "setup", "run 1", "teardown", "tool teardown"], recorded.Events);
    }

    [Fact]
    public async Task A_null_on_an_output_that_declares_none_fails_the_receiving_element_naming_the_port()
    {
        var result = await RunAsync(new Pipeline("nulls", new Labels { Broken = true } >> new Echo()));

        Assert.Equal(Outcome.Passed, result["labels"].Outcome);
        Assert.Equal(Outcome.Failed, result["echo"].Outcome);
        Assert.Equal("input echo.label (string) received null from labels.label, and it is not nullable (labels.label >> echo.label)", result["echo"].Result.Reason);
    }

    [Fact]
    public async Task A_value_of_another_type_than_declared_fails_the_receiving_element_naming_the_port()
    {
        // A producer that hands on a number where its output declares a string: only a task made by hand can.
        var job = PipelineCompiler.Compile(new Pipeline("typed", new Labels() >> new Echo()), Options());
        var forged = new Job("typed")
            .Add("labels", _ => (object?)new Dictionary<string, object?> { ["label"] = 42 })
            .Add(job.Tasks[1]);

        var results = new Dictionary<string, TaskResult>();
        await foreach (var r in JobRunner.RunAsync(forged, Options().Run, TestContext.Current.CancellationToken)) results[r.TaskId] = r;

        Assert.Equal(Outcome.Failed, results["echo"].Outcome);
        Assert.Equal("input echo.label (string) received a int from labels.label, which declares string (labels.label >> echo.label)", results["echo"].Reason);
    }

    [Fact]
    public async Task Resume_hands_the_kept_outputs_of_a_reused_element_to_those_that_run_again()
    {
        Echo.Runs = 0;
        Echo.Fail = true;
        try
        {
            await using (var journal = SqliteRunJournal.Open(_state))
            {
                var first = await RunAsync(new Pipeline("resumed", new Labels() >> new Echo()), Options(journal));
                Assert.Equal(Outcome.Failed, first["echo"].Outcome);
                Assert.Equal("\"fine\"", first["labels"].Result.Outputs["label"]);
            }
            Echo.Fail = false;
            await using (var journal = SqliteRunJournal.Open(_state))
            {
                var resumed = await RunAsync(new Pipeline("resumed", new Labels() >> new Echo()), Options(journal, resume: true));
                Assert.True(resumed["labels"].Result.Reused);
                Assert.Equal("fine", resumed["labels"].Output<string>("label"));
                Assert.Equal(Outcome.Passed, resumed["echo"].Outcome);
                Assert.Equal("echo fine", resumed["echo"].Output<string>("said"));
            }
            Assert.Equal(2, Echo.Runs);
        }
        finally
        {
            Echo.Fail = false;
        }
    }
}
