using System.Globalization;

namespace Skein.Cli.Tests;

/// <summary><c>skein test</c> as users run it: real processes, an embedded cluster of one node, shell scripts as experiments.</summary>
public class TestCommandTests
{
    private static readonly TimeSpan Patience = TestPatience.Ceiling;

    /// <summary>A suite whose experiments note in ran.txt that they ran.</summary>
    private static void WriteChecks(TempDirectory dir)
    {
        dir.Write("suites/checks/suite.yaml", """
            name: checks
            description: what the acceptance asks of a run
            defaults: { timeout: 1m }
            experiments:
              broken: { description: "fails, as it is known to" }
            """);
        dir.Write("suites/checks/pass.sh", "echo pass >> \"$RAN\"\necho all good\n");
        dir.Write("suites/checks/fails.sh", "echo fails >> \"$RAN\"\necho 'the widget count was off' \necho 'widget 41' >&2\nexit 3\n");
        dir.Write("suites/checks/cases.sh", """
            # skein: tags: [REQ-7]
            echo cases >> "$RAN"
            echo '::result name=login outcome=passed'
            echo '::result name=checkout outcome=failed message="got 500"'
            """);
        dir.Write("suites/checks/broken.sh", "echo broken >> \"$RAN\"\nexit 1\n");
        dir.Write("suites/checks/fixed.sh", "echo fixed >> \"$RAN\"\n");
        dir.Write("test.yaml", $"""
            name: acceptance
            suites: [suites]
            cluster: {"{"} nodes: 1 {"}"}
            parameters: {"{"} RAN: "{dir.File("ran.txt")}" {"}"}
            expected-failures:
              checks::broken: bug 12
              checks::fixed: bug 13
            """);
    }

    private static string[] Ran(TempDirectory dir) => File.ReadAllLines(dir.File("ran.txt"));

    [Fact]
    public async Task Failures_are_reported_with_their_reasons_expectations_apply_and_resume_reruns_what_did_not_pass()
    {
        using var dir = new TempDirectory();
        WriteChecks(dir);
        var state = dir.File("state");

        var first = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--state", state, "--report", "both",
            "--junit", "report.xml", "--json", "report.json", "--output", "none");

        Assert.True(first.ExitCode == 1, first.ToString());
        var lines = first.Stdout.Split('\n').Select(l => l.Trim()).ToList();
        // The summary lists what did not pass, with why.
        Assert.Contains("failed checks::fails: exit code 3: widget 41", lines);
        Assert.Contains("failed checks::cases: checkout failed: got 500", lines);
        Assert.Contains(lines, l => l.StartsWith("failed checks::fixed: unexpectedly passed", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("failed checks::broken", StringComparison.Ordinal));
        // The detail table has every experiment with its outcome and reason.
        Assert.Contains(lines, l => l.StartsWith("│ checks::fails ", StringComparison.Ordinal) && l.Contains("failed") && l.Contains("exit code 3: widget 41"));
        Assert.Contains(lines, l => l.StartsWith("│ checks::broken ", StringComparison.Ordinal) && l.Contains("warned") && l.Contains("expected failure (bug 12)"));
        Assert.Contains(lines, l => l.StartsWith("│ checks::fixed ", StringComparison.Ordinal) && l.Contains("failed") && l.Contains("unexpectedly passed"));
        ReportTests.Validate(dir.File("report.xml"));
        var junit = File.ReadAllText(dir.File("report.xml"));
        Assert.Contains("""<testcase name="fails" classname="checks" """, junit);
        Assert.Contains("""<failure type="failed" message="exit code 3: widget 41">""", junit);
        Assert.Contains("the widget count was off", junit); // the log's tail, in system-out
        Assert.Contains("message=\"unexpectedly passed: it is listed in expected-failures (bug 13)\"", junit);
        Assert.Contains("\"id\": \"checks::broken\"", File.ReadAllText(dir.File("report.json")));
        var logs = first.Stdout.Split("logs: ")[1].Trim();
        Assert.Contains("widget 41", File.ReadAllText(Path.Combine(logs, "experiments", "checks", "fails.log")));
        Assert.Contains("joined", File.ReadAllText(Path.Combine(logs, "cluster.log")));
        Assert.Equal(["broken", "cases", "fails", "fixed", "pass"], Ran(dir).Order());

        var resumed = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--state", state, "--resume", "--output", "none");

        Assert.True(resumed.ExitCode == 1, resumed.ToString());
        // What passed in the engine's eyes (pass, and fixed, which still passed unexpectedly) is not run again.
        Assert.Equal(["broken", "broken", "cases", "cases", "fails", "fails", "fixed", "pass"], Ran(dir).Order());
        Assert.Contains("failed checks::fixed: unexpectedly passed", resumed.Stdout);

        var asExpected = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--state", state, "--only", "checks::pass", "checks::broken",
            "--output", "none", "--report", "detail");

        Assert.True(asExpected.ExitCode == 0, asExpected.ToString());
        Assert.Contains("expected failure (bug 12): failed: exit code 1", asExpected.Stdout);
    }

    [Fact]
    public async Task Ctrl_c_cancels_the_experiments_tears_the_cluster_down_and_exits_130()
    {
        using var dir = new TempDirectory();
        dir.Write("suites/slow/suite.yaml", "name: slow\n");
        dir.Write("suites/slow/sleeper.sh", "echo $$ > \"$SKEIN_SCRATCH/pid\"\necho started\nsleep 600\n");
        dir.Write("test.yaml", "suites: [suites]\ncluster: { nodes: 1 }\n");
        var state = dir.File("state");
        await using var skein = SkeinProcess.Start(dir.Path, "test", "test.yaml", "--state", state);
        await skein.WaitForOutputAsync("slow::sleeper | started", Patience);
        var cluster = Path.Combine(state, "test", "test", "cluster");
        var up = int.Parse(File.ReadAllText(Path.Combine(cluster, "up.pid")).Trim(), CultureInfo.InvariantCulture);
        var nodes = ChildrenOf(up);
        Assert.NotEmpty(nodes);
        var experiment = int.Parse(File.ReadAllText(Path.Combine(state, "test", "test", "scratch", "slow", "sleeper", "pid")).Trim(), CultureInfo.InvariantCulture);

        skein.Signal(Posix.SigInt);

        var code = await skein.WaitForExitAsync(Patience);
        Assert.True(code == 130, $"exit {code}\n{skein.Stdout}\n{skein.Stderr}");
        Assert.Contains("cancelled", skein.Stdout);
        foreach (var pid in nodes.Append(up).Append(experiment)) Assert.False(Posix.IsAlive(pid), $"process {pid} is still running");
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Experiments_run_on_an_existing_cluster_where_their_placement_says_and_reach_it()
    {
        using var dir = new TempDirectory();
        await using var up = SkeinProcess.Start(dir.Path, "up", "--nodes", "2", "--labels", "node-2:zone=b");
        await up.WaitForOutputAsync("cluster up at", Patience);
        var address = System.Text.RegularExpressions.Regex.Match(up.Stdout, @"cluster up at (\S+) with").Groups[1].Value;
        dir.Write("suites/placed/suite.yaml", "name: placed\n");
        dir.Write("suites/placed/where.sh", """
            # skein: on: { labels: { zone: b } }
            echo "$SKEIN_NODE $SKEIN_CLUSTER ${#SKEIN_TOKEN}" > "$OUT"
            """);
        dir.Write("test.yaml", $"suites: [suites]\ncluster: {{ address: \"{address}\", token-file: .skein/token }}\nparameters: {{ OUT: \"{dir.File("where.txt")}\" }}\n");

        var result = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--state", dir.File("state"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var said = File.ReadAllText(dir.File("where.txt")).Trim().Split(' ');
        Assert.Equal("node-2", said[0]);
        Assert.Equal(address.TrimEnd('/'), said[1].TrimEnd('/'));
        Assert.NotEqual("0", said[2]);
        up.Signal(Posix.SigInt);
        Assert.Equal(0, await up.WaitForExitAsync(Patience));
    }

    [Fact]
    public async Task List_dry_run_and_bad_input_need_no_cluster()
    {
        using var dir = new TempDirectory();
        WriteChecks(dir);
        dir.Write("suites/checks/deeper/suite.yaml", "name: deeper\n");
        dir.Write("suites/checks/deeper/inner.sh", "# skein: needs: [checks::pass]\n# skein: description: nested\necho inner\n");

        var list = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--list");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("checks::broken — fails, as it is known to (expected to fail: bug 12)", list.Stdout);
        Assert.Contains("checks::cases [REQ-7]", list.Stdout);
        Assert.Contains("checks/deeper::inner — nested", list.Stdout);

        var dryRun = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--dry-run", "--only", "checks/deeper::inner");
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Contains("job 'acceptance': 2 tasks in 2 layers", dryRun.Stdout);
        Assert.Contains("layer 2: checks/deeper::inner", dryRun.Stdout);
        Assert.False(File.Exists(dir.File("ran.txt")), "a dry run ran an experiment");

        var example = await SkeinProcess.RunAsync(RunCommandTests.RepositoryRoot(), "test", "examples/suites/tests.yaml", "--dry-run");
        Assert.True(example.ExitCode == 0, example.ToString());
        Assert.Contains("layer 2: smoke/cluster::nodes", example.Stdout);

        var unknown = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--only", "checks::pas");
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Contains("--only checks::pas: no such experiment; did you mean 'checks::pass'?", unknown.Stderr);

        var suiteFile = dir.Write("suites/checks/suite.yaml", "name: checks\ndefaults:\n  timeout: [1m]\n");
        var malformed = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml");
        Assert.True(malformed.ExitCode == 2, malformed.ToString());
        Assert.Contains($"{suiteFile}:3:12: error: 'timeout' in defaults", malformed.Stderr);

        dir.Write("apps.yaml", "suites: [suites]\napps: [web.yaml]\n");
        var apps = await SkeinProcess.RunAsync(dir.Path, "test", "apps.yaml");
        Assert.True(apps.ExitCode == 2, apps.ToString());
        // An app that cannot be found stops the run before anything is deployed.
        Assert.Contains("apps.yaml:2:8: error: 'apps': no app file at web.yaml", apps.Stderr);
    }

    /// <summary>The processes whose parent is <paramref name="parent"/>, from /proc.</summary>
    internal static List<int> ChildrenOf(int parent)
    {
        var children = new List<int>();
        foreach (var directory in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                // pid (comm) state ppid …: the name may hold spaces and parentheses, so read after the last ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent) children.Add(pid);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // gone meanwhile
            }
        }
        return children;
    }
}
