namespace Skein.Cli.Tests;

/// <summary>
/// <c>skein logs</c> of a task that a resumed run reused shows the output of the run that produced it and says so;
/// a task that never ran says so. Never nothing with exit 0.
/// </summary>
public class ReusedLogsTests
{
    private static readonly TimeSpan Patience = TestPatience.Ceiling;

    private const string Job = """
        name: resumable
        tasks:
          build: { run: "echo built by run $SKEIN_RUN_ID" }
          flaky: { run: "echo trying; [ -f fixed ]", needs: [build] }
          after: { run: "echo after", needs: [flaky] }
        """;

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Logs_of_a_reused_task_show_the_run_that_produced_it_from_the_state_directory()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", Job);
        Assert.Equal(1, (await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "-q")).ExitCode);
        dir.Write("fixed", "");
        Assert.Equal(0, (await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--resume", "-q")).ExitCode);

        var logs = await SkeinProcess.RunAsync(dir.Path, "logs", "2", "build");
        var skipped = await SkeinProcess.RunAsync(dir.Path, "logs", "1", "after");

        Assert.True(logs.ExitCode == 0, logs.ToString());
        Assert.Equal("built by run 1\n", logs.Stdout);
        Assert.Contains("skein: task 'build' did not run in run 2: --resume reused its result from run 1; its output there follows", logs.Stderr);
        Assert.True(skipped.ExitCode == 0, skipped.ToString());
        Assert.Equal("", skipped.Stdout);
        Assert.Contains("skein: task 'after' never ran in run 1 (skipped", skipped.Stderr);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Logs_of_a_reused_task_show_the_run_that_produced_it_on_a_cluster()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", Job);
        await using var up = SkeinProcess.Start(dir.Path, "up", "--nodes", "1");
        await up.WaitForOutputAsync("cluster up at", Patience);
        var first = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "-q");
        Assert.True(first.ExitCode == 1, first.ToString());
        dir.Write("fixed", "");
        var second = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--resume", "-q");
        Assert.True(second.ExitCode == 0, second.ToString());

        var logs = await SkeinProcess.RunAsync(dir.Path, "logs", "latest", "build");

        Assert.True(logs.ExitCode == 0, logs.ToString());
        Assert.Equal("built by run 1\n", logs.Stdout);
        Assert.Contains("--resume reused its result from run 1; its output there follows", logs.Stderr);
    }
}
