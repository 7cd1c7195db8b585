using static Skein.Engine.Tests.JobFiles.JobFileAssert;

namespace Skein.Engine.Tests.JobFiles;

/// <summary>resources, on, workdir and call/args: read into the task's data, refused by line when wrong.</summary>
public sealed class PlacementKeysTests
{
    [Fact]
    public void A_task_without_them_takes_one_core_anywhere()
    {
        var task = Task(Valid("""
            name: n
            tasks:
              t: { run: make }
            """), "t");

        Assert.Equal(TaskResources.Default, task.Resources);
        Assert.Equal(1, task.Resources.Cores);
        Assert.Equal(0, task.Resources.MemoryBytes);
        Assert.Null(task.Placement);
        Assert.False(task.WorkdirIsExplicit);
    }

    [Fact]
    public void Resources_and_placement_are_read()
    {
        var job = Valid("""
            name: n
            tasks:
              train:
                run: make
                resources: { cores: 2, memory: 4GiB }
                on: { labels: { gpu: "true" }, node: node-2, host: box }
                workdir: sub
            """);

        var task = Task(job, "train");
        Assert.Equal(new TaskResources { Cores = 2, MemoryBytes = 4L << 30 }, task.Resources);
        Assert.Equal(new TaskPlacement { Labels = new Dictionary<string, string> { ["gpu"] = "true" }, Node = "node-2", Host = "box" }, task.Placement);
        Assert.True(task.WorkdirIsExplicit);
    }

    [Fact]
    public void A_call_task_carries_its_service_method_and_arguments_as_JSON()
    {
        var job = Valid("""
            name: n
            tasks:
              ping:
                call: echo.Echo
                args: [hello, 2, true, "3", { a: [1, x] }]
            """);

        var call = Assert.IsType<ServiceCallAction>(Task(job, "ping").Action);
        Assert.Equal("echo", call.Service);
        Assert.Equal("Echo", call.Method);
        Assert.Equal("""["hello",2,true,"3",{"a":[1,"x"]}]""", call.ArgumentsJson);
    }

    [Fact]
    public void Wrong_values_are_refused_where_they_are_written()
    {
        var result = Parse("""
            name: n
            tasks:
              a: { run: make, resources: { cores: 0 } }
              b: { run: make, resources: { memory: lots } }
              c: { run: make, on: { rack: 3 } }
              d: { call: nodot }
              e: { run: make, call: echo.Echo }
              f: { run: make, args: [1] }
            """);

        Error(result, 3, 39, "'resources.cores' of task 'a'", "at least 1");
        Error(result, 4, 40, "'resources.memory' of task 'b'", "4GiB");
        Error(result, 5, 25, "unknown key 'rack'");
        Error(result, 6, 14, "SERVICE.METHOD");
        Error(result, 7, 19, "both 'run' and 'call'");
        Error(result, 8, 19, "'args' of task 'f' only applies to 'call'");
    }

    [Fact]
    public async Task A_run_in_one_process_refuses_a_call_task_before_anything_runs()
    {
        var ran = false;
        var job = new Job("j")
            .Add("first", _ => ran = true)
            .Add(new TaskSpec { Id = "ping", Action = new ServiceCallAction("echo", "Echo", "[\"hi\"]") });

        var ex = await Assert.ThrowsAsync<JobValidationException>(() => JobRun.StartAsync(job, new RunOptions(), TestContext.Current.CancellationToken));

        Assert.Contains("task 'ping' calls the cluster service echo.Echo, so it needs a cluster", ex.Message);
        Assert.False(ran);
    }

    [Fact]
    public async Task Commands_see_the_run_task_and_attempt()
    {
        using var dir = new TempDirectory();
        var job = new Job("j").Add(new TaskSpec
        {
            Id = "env",
            Action = new CommandAction("printf '%s/%s/%s' \"$SKEIN_RUN\" \"$SKEIN_TASK\" \"$SKEIN_ATTEMPT\" > out.txt") { WorkingDirectory = dir.Path },
        });

        await using var run = await JobRun.StartAsync(job, new RunOptions { StateDirectory = Path.Combine(dir.Path, ".skein") }, TestContext.Current.CancellationToken);
        var summary = await run.Completion;

        Assert.True(summary.Succeeded);
        Assert.Equal("0/env/1", File.ReadAllText(Path.Combine(dir.Path, "out.txt")));
    }
}
