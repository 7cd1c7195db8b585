using System.Xml.Linq;

namespace Skein.Cli.Tests;

public class RunCommandTests
{
    private static readonly TimeSpan Patience = TestPatience.Ceiling;

    [Fact]
    public async Task Quickstart_example_passes_and_prints_a_summary()
    {
        using var dir = new TempDirectory();
        var quickstart = Path.Combine(RepositoryRoot(), "examples", "quickstart.yaml");
        var result = await SkeinProcess.RunAsync(dir.Path, "run", quickstart, "--state", dir.File("state"));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("passed", result.Stdout);
        Assert.DoesNotContain("failed ", result.Stdout);
    }

    [Fact]
    public async Task Exit_code_is_1_when_a_task_fails_and_dependents_are_skipped_with_a_reason()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: failing
            tasks:
              broken: { run: "echo broken >&2; exit 4" }
              after: { run: "true", needs: [broken] }
              alone: { run: "true" }
            """);
        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--report", "detail");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("exit code 4", result.Stdout);
        Assert.Contains("needs 'broken', which failed", result.Stdout);
    }

    [Fact]
    public async Task JUnit_report_parses_as_xml_with_the_right_counts()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: junit
            tasks:
              ok: { run: "true" }
              warn: { run: "exit 3", warn-exit-codes: [3] }
              bad: { run: "exit 1" }
              skipped: { run: "true", needs: [bad] }
              slow: { run: "sleep 30", timeout: 300ms }
            """);
        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--junit", "out/junit.xml", "--json", "out/report.json");
        Assert.True(result.ExitCode == 1, result.ToString());

        var xml = XDocument.Load(dir.File("out/junit.xml"));
        var suite = xml.Root!.Element("testsuite")!;
        Assert.Equal("5", suite.Attribute("tests")!.Value);
        Assert.Equal("2", suite.Attribute("failures")!.Value); // failed + timed-out
        Assert.Equal("1", suite.Attribute("skipped")!.Value);
        Assert.Equal("0", suite.Attribute("errors")!.Value);
        Assert.Equal(5, suite.Elements("testcase").Count());
        Assert.NotNull(suite.Elements("testcase").Single(t => t.Attribute("name")!.Value == "slow").Element("failure"));

        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.File("out/report.json")));
        Assert.Equal(1, json.RootElement.GetProperty("counts").GetProperty("passed").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("counts").GetProperty("warned").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("counts").GetProperty("timed-out").GetInt32());
    }

    [Fact]
    public async Task A_timed_out_task_leaves_no_child_processes_behind()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: timeouts
            tasks:
              slow:
                timeout: 500ms
                run: "sleep 300 & echo $! > child.pid; bash -c 'sleep 300' & echo $! > grandchild.pid; wait"
              fine: { run: "true" }
            """);
        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--report", "detail");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("timed out after 500ms", result.Stdout);
        foreach (var file in new[] { "child.pid", "grandchild.pid" })
        {
            var pid = int.Parse(File.ReadAllText(dir.File(file)).Trim());
            Assert.False(Posix.IsAlive(pid), $"process {pid} from {file} outlived its timed-out task");
        }
    }

    [Fact]
    public async Task Ctrl_c_cancels_running_tasks_and_exits_130()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: interrupted
            tasks:
              long: { run: "echo $$ > long.pid; sleep 600" }
              later: { run: "true", needs: [long] }
            """);
        await using var skein = SkeinProcess.Start(dir.Path, "run", "job.yaml", "--report", "detail");
        await skein.WaitForOutputAsync("start     long", Patience);
        skein.Signal(Posix.SigInt);
        var code = await skein.WaitForExitAsync(Patience);
        Assert.True(code == 130, $"exit {code}\n{skein.Stdout}\n{skein.Stderr}");
        Assert.Contains("cancelled", skein.Stdout);
        var pid = int.Parse(File.ReadAllText(dir.File("long.pid")).Trim());
        Assert.False(Posix.IsAlive(pid), "the cancelled task's process is still running");
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Skein.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
