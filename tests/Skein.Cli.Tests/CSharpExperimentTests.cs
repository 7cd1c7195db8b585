using System.Text.Json;

namespace Skein.Cli.Tests;

/// <summary>
/// C# experiments of <c>skein test</c>: the [Experiment] methods of the test assembly tests/Modules/Experiments (copied
/// into modules/experiments of the output), run by a real <c>skein test</c> on an embedded cluster of two nodes.
/// </summary>
public class CSharpExperimentTests
{
    private static readonly TimeSpan Patience = TestPatience.Ceiling;

    private static string Assembly(string folder, string name) => Path.Combine(AppContext.BaseDirectory, "modules", folder, name + ".dll");

    private static void WriteSuite(TempDirectory dir, string assembly)
    {
        dir.Write("suites/checks/suite.yaml", $"""
            name: checks
            defaults: {"{"} timeout: 2m {"}"}
            assemblies: ["{assembly}"]
            experiments:
              Reports: {"{"} tags: [REQ-8] {"}"}
            """);
        dir.Write("test.yaml", """
            name: csharp
            suites: [suites]
            cluster: { nodes: 2 }
            parallelism: 4
            parameters: { GREETING: hello }
            """);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Each_experiment_method_runs_as_an_experiment_with_its_context_and_its_outcome_is_reported()
    {
        using var dir = new TempDirectory();
        WriteSuite(dir, Assembly("experiments", "Experiments"));
        var state = dir.File("state");

        var listed = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--state", state, "--list");

        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains("checks::Passes — returns, so passes [REQ-7, TC-1]", listed.Stdout);
        Assert.Contains("checks::Reports — several results, one failing [REQ-8]", listed.Stdout); // suite.yaml's entry over the attribute
        Assert.Contains("checks::instance-method", listed.Stdout);

        var run = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--state", state, "--json", "report.json", "--junit", "report.xml",
            "--report", "both", "--output", "none");

        Assert.True(run.ExitCode == 1, run.ToString());
        var tasks = ReadTasks(dir.File("report.json"));
        Assert.Equal("passed", tasks["checks::Passes"].GetProperty("outcome").GetString());
        Assert.Equal("passed", tasks["checks::instance-method"].GetProperty("outcome").GetString());
        Assert.Equal("failed", tasks["checks::Throws"].GetProperty("outcome").GetString());
        Assert.Equal("exit code 1: InvalidOperationException: the widget count was off", tasks["checks::Throws"].GetProperty("reason").GetString());
        Assert.Equal("exit code 1: ArgumentException: no such widget: 41", tasks["checks::ThrowsLater"].GetProperty("reason").GetString());
        Assert.Equal("timed-out", tasks["checks::Hangs"].GetProperty("outcome").GetString());

        var reports = tasks["checks::Reports"];
        Assert.Equal("failed", reports.GetProperty("outcome").GetString());
        Assert.Equal("checkout failed: expected 200, got 500", reports.GetProperty("reason").GetString());
        Assert.Equal(["login:passed", "checkout:failed"], SubResults(reports).Select(s => $"{s.Name}:{s.Outcome}"));

        var context = tasks["checks::Context"];
        Assert.Equal("passed", context.GetProperty("outcome").GetString());
        var results = SubResults(context).ToDictionary(s => s.Name, s => s.Message);
        Assert.Equal("hello", results["greeting"]);
        Assert.Matches(@"^checks::Context attempt 1 run \S+ on node-[12]$", results["identity"]);
        Assert.Equal("checks::Context", results["participant"]);
        Assert.Equal("hello", File.ReadAllText(Path.Combine(state, "test", "csharp", "scratch", "checks", "Context", "marker.txt")));

        // Two experiments on two nodes met at a barrier from C# and saw each other's contexts.
        foreach (var meeting in new[] { "checks::MeetA", "checks::MeetB" })
        {
            Assert.Equal("passed", tasks[meeting].GetProperty("outcome").GetString());
            Assert.Equal("checks::MeetA,checks::MeetB from node-1,node-2", SubResults(tasks[meeting]).Single().Message);
        }

        // The summary, the JUnit report and the experiment's log in the run's log directory, as for scripts.
        Assert.Contains("failed checks::Throws: exit code 1: InvalidOperationException: the widget count was off", run.Stdout);
        ReportTests.Validate(dir.File("report.xml"));
        Assert.Contains("""<testcase name="Throws" classname="checks" """, File.ReadAllText(dir.File("report.xml")));
        var logs = run.Stdout.Split("logs: ")[1].Trim();
        var passesLog = File.ReadAllText(Path.Combine(logs, "experiments", "checks", "Passes.log"));
        Assert.Contains("all good", passesLog);
        Assert.Contains("info checks::Passes: logged through the logger", passesLog);
        Assert.Contains("at Experiments.Checks.Throws", File.ReadAllText(Path.Combine(logs, "experiments", "checks", "Throws.log")));

        var history = await SkeinProcess.RunAsync(dir.Path, "test", "history", "checks::Throws", "--state", state);
        Assert.True(history.ExitCode == 0, history.ToString());
        Assert.Contains("checks::Throws", history.Stdout);
    }

    [Fact]
    public async Task A_method_of_the_wrong_signature_is_an_error_naming_the_file_and_the_method()
    {
        using var dir = new TempDirectory();
        var assembly = Assembly("bad-experiments", "BadExperiments");
        WriteSuite(dir, assembly);

        var result = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--state", dir.File("state"), "--dry-run");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("suite.yaml:3", result.Stderr);
        Assert.Contains($"{assembly}: BadExperiments.Wrong.TakesAString: it takes (String)", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task A_missing_assembly_and_a_file_that_is_not_dotnet_are_errors_naming_the_file()
    {
        using var dir = new TempDirectory();
        dir.Write("suites/checks/notdotnet.dll", "this is text\n");
        WriteSuite(dir, "notdotnet.dll");
        var missing = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--list");

        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("is not a .NET assembly Skein can load", missing.Stderr);
        Assert.Contains(dir.File("suites/checks/notdotnet.dll"), missing.Stderr);

        WriteSuite(dir, "bin/Absent.dll");
        var absent = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--list");

        Assert.True(absent.ExitCode == 2, absent.ToString());
        Assert.Contains("suite.yaml:3", absent.Stderr);
        Assert.Contains("test assembly not found: bin/Absent.dll", absent.Stderr);
    }

    private static Dictionary<string, JsonElement> ReadTasks(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("tasks").EnumerateArray().ToDictionary(t => t.GetProperty("id").GetString()!, t => t.Clone());
    }

    private static IEnumerable<(string Name, string Outcome, string? Message)> SubResults(JsonElement task) =>
        task.GetProperty("subResults").EnumerateArray().Select(s => (
            s.GetProperty("name").GetString()!,
            s.GetProperty("outcome").GetString()!,
            s.TryGetProperty("message", out var message) ? message.GetString() : null));
}
