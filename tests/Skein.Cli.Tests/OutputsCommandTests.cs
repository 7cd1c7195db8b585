using System.Text.Json;

namespace Skein.Cli.Tests;

/// <summary>Task outputs through the real CLI: set with ::output, read with {{tasks.ID.outputs.NAME}}, kept for --resume.</summary>
public class OutputsCommandTests
{
    private const string Job = """
        name: release
        tasks:
          build:
            run: |
              echo built >> build.count
              echo "::output version=1.4.2 (it's \$HOME)"
          publish:
            needs: [build]
            env: { TAG: "v{{tasks.build.outputs.version}}" }
            run: |
              test -f go || exit 3
              printf '%s|%s' {{tasks.build.outputs.version}} "$TAG" > published.txt
        """;

    [Fact]
    public async Task Run_then_resume_hands_the_outputs_of_a_reused_task_to_its_dependent()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", Job);
        var state = dir.File("state");

        var first = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", state, "--plain");
        Assert.True(first.ExitCode == 1, first.ToString());

        File.WriteAllText(dir.File("go"), "");
        var resumed = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", state, "--resume", "--plain", "--json", dir.File("report.json"));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());

        Assert.Equal("built\n", File.ReadAllText(dir.File("build.count")));
        Assert.Equal("1.4.2 (it's $HOME)|v1.4.2 (it's $HOME)", File.ReadAllText(dir.File("published.txt")));

        using var report = JsonDocument.Parse(File.ReadAllText(dir.File("report.json")));
        var build = report.RootElement.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("id").GetString() == "build");
        Assert.True(build.GetProperty("reused").GetBoolean());
        Assert.Equal("1.4.2 (it's $HOME)", build.GetProperty("outputs").GetProperty("version").GetString());

        var shown = await SkeinProcess.RunAsync(dir.Path, "show", "2", "--state", state);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("outputs:", shown.Stdout);
        Assert.Contains("build.version = 1.4.2 (it's $HOME)", shown.Stdout);
    }

    [Fact]
    public async Task A_reference_outside_the_needs_is_refused_before_anything_runs()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: refs
            tasks:
              build: { run: "touch ran; echo '::output version=1'" }
              publish:
                run: echo {{tasks.build.outputs.version}}
            """);

        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", dir.File("state"), "--plain");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("job.yaml:5:5", result.Stderr + result.Stdout);
        Assert.Contains("'build' is not among its needs", result.Stderr + result.Stdout);
        Assert.False(File.Exists(dir.File("ran")));
    }

    [Fact]
    public async Task An_output_never_set_fails_the_reader_with_the_reason()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: unset
            tasks:
              build: { run: "true" }
              publish: { needs: [build], run: "echo {{tasks.build.outputs.version}}" }
            """);

        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", dir.File("state"), "--plain", "--report", "detail");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("task 'build' set no output 'version'", result.Stdout);
    }
}
