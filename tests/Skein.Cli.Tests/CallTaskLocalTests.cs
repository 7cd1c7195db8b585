namespace Skein.Cli.Tests;

/// <summary>A <c>call:</c> task needs a cluster: in one process, skein run refuses it before anything runs.</summary>
public sealed class CallTaskLocalTests
{
    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_call_task_run_in_one_process_is_refused_with_exit_2_naming_it()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "job.yaml"), """
            name: c
            tasks:
              first: { run: touch ran }
              ping: { call: echo.Echo, args: [hi] }
            """);

        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("job.yaml:4:11: error: task 'ping' calls the cluster service echo.Echo, so it needs a cluster", result.Stderr + result.Stdout);
        Assert.False(File.Exists(Path.Combine(dir.Path, "ran")));
    }
}
