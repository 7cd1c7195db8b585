using System.Diagnostics;
using Skein.Engine.JobFiles;

namespace Skein.Engine.Tests.JobFiles;

/// <summary>examples/quickstart.yaml is the first job a newcomer runs: it must load cleanly and every command must pass.</summary>
public sealed class QuickstartExampleTests
{
    private static readonly string ExamplePath = FindExample();

    [Fact]
    public void Loads_with_no_problems_and_shows_off_the_main_keys()
    {
        var result = JobFileLoader.Load(ExamplePath);

        Assert.True(result.Problems.Count == 0, string.Join("\n", result.Problems));
        var job = result.Job!;
        Assert.Equal("quickstart", job.Name);
        Assert.Equal(["fetch", "build", "database", "test-1", "test-2", "test-3", "report"], job.Tasks.Select(t => t.Id));
        Assert.Contains(job.Tasks, t => t.Provides.Contains("db"));
        Assert.Contains(job.Tasks, t => t.Needs.Contains("db"));
        Assert.Contains(job.Tasks, t => t.Claims.Count > 0);
        Assert.All(job.Tasks, t => Assert.Equal(Path.GetDirectoryName(ExamplePath), ((CommandAction)t.Action).WorkingDirectory));
    }

    [Fact]
    public async Task Every_command_passes_quickly_with_bash()
    {
        var job = JobFileLoader.Load(ExamplePath).Job!;
        var subResults = 0;

        // File order is a valid dependency order for this job, so running the commands one by one mirrors a run.
        foreach (var task in job.Tasks)
        {
            var (exitCode, output) = await RunAsync((CommandAction)task.Action);
            Assert.True(exitCode == 0, $"{task.Id} exited with {exitCode}:\n{output}");
            foreach (var line in output.Split('\n'))
            {
                if (!line.StartsWith("::result ", StringComparison.Ordinal)) continue;
                Assert.Contains("outcome=passed", line, StringComparison.Ordinal);
                subResults++;
            }
        }

        Assert.Equal(3, subResults);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(CommandAction action)
    {
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { "-c", action.Command },
            WorkingDirectory = action.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in action.Environment) start.Environment[name] = value;

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await errors);
    }

    private static string FindExample()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", "quickstart.yaml");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("examples/quickstart.yaml not found above " + AppContext.BaseDirectory);
    }
}
