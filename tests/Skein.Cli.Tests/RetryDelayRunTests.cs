namespace Skein.Cli.Tests;

/// <summary>retry-delay through a real <c>skein run</c>: a task that fails twice waits before each retry and then passes.</summary>
public class RetryDelayRunTests
{
    [Fact]
    public async Task A_task_with_a_retry_delay_fails_twice_then_passes_on_its_third_attempt()
    {
        using var dir = new TempDirectory();
        // The counter file survives the attempts: each adds a line, and the third finds two before it.
        dir.Write("job.yaml", """
            name: retry-delay
            tasks:
              flaky:
                retries: 2
                retry-delay: 100ms
                run: |
                  echo "attempt $SKEIN_ATTEMPT" >> counter
                  [ "$(wc -l < counter)" -ge 3 ] || { echo "not yet"; exit 1; }
              after: { run: "true", needs: [flaky] }
            """);

        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--json", "report.json", "--state", dir.File("state"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["attempt 1", "attempt 2", "attempt 3"], File.ReadAllLines(dir.File("counter")));
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.File("report.json")));
        var tasks = json.RootElement.GetProperty("tasks").EnumerateArray().ToDictionary(t => t.GetProperty("id").GetString()!);
        Assert.Equal("passed", tasks["flaky"].GetProperty("outcome").GetString());
        Assert.Equal(3, tasks["flaky"].GetProperty("attempts").GetInt32());
        Assert.Equal("passed", tasks["after"].GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task A_bad_retry_backoff_is_refused_with_its_file_and_line()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: bad-backoff
            tasks:
              t:
                run: "true"
                retry-backoff: sometimes
            """);

        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", dir.File("state"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("job.yaml:5:", result.ToString());
        Assert.Contains("'retry-backoff' of task 't' must be one of constant, linear, exponential", result.ToString());
    }
}
