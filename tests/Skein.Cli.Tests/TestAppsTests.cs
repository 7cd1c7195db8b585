namespace Skein.Cli.Tests;

/// <summary>The <c>apps:</c> of a <c>skein test</c> configuration: started on the embedded cluster before any experiment runs.</summary>
public class TestAppsTests
{
    private static string Services => Path.Combine(AppContext.BaseDirectory, "Skein.Examples.Services.dll");

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task The_apps_are_started_with_their_dependencies_before_the_experiments_which_reach_their_services()
    {
        using var dir = new TempDirectory();
        dir.Write("apps/base/app.yaml", $"""
            name: base
            modules:
              - path: "{Services}"
                name: examples
                node: node-2
            """);
        dir.Write("apps/front/app.yaml", $"""
            name: front
            depends-on: [base]
            modules:
              - path: "{Services}"
                name: front-examples
                node: node-1
            """);
        dir.Write("suites/uses/suite.yaml", "name: uses\n");
        // The services of a module the app loaded are listed by the coordinator once it has heard from the node.
        dir.Write("suites/uses/echo.sh", """
            for i in $(seq 1 120); do
              if "$SKEIN_CLI" services | grep -q '^echo '; then "$SKEIN_CLI" services; exit 0; fi
              sleep 1
            done
            echo 'the echo service never appeared'; exit 1
            """);
        dir.Write("test.yaml", "name: with-apps\nsuites: [suites]\ncluster: { nodes: 2 }\napps: [apps/front]\n");

        var dryRun = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--dry-run");
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Contains("apps, started in this order: base, front", dryRun.Stdout);

        var run = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--state", dir.File("state"), "--output", "none");

        Assert.True(run.ExitCode == 0, run.ToString());
        var startingBase = run.Stdout.IndexOf("starting app base", StringComparison.Ordinal);
        var startingFront = run.Stdout.IndexOf("starting app front", StringComparison.Ordinal);
        Assert.True(startingBase >= 0 && startingFront > startingBase, run.ToString());
        Assert.Contains("base: examples is active on node-2", run.Stdout);
        Assert.Contains("run 1 passed", run.Stdout);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task An_app_that_fails_to_start_is_named_nothing_runs_and_the_cluster_is_torn_down()
    {
        using var dir = new TempDirectory();
        dir.Write("apps/shaky/broken.py", "import sys\nsys.stderr.write('broken: no database configured\\n')\nsys.exit(3)\n");
        dir.Write("apps/shaky/app.yaml", "name: shaky\nmodules:\n  - path: broken.py\n");
        dir.Write("suites/uses/suite.yaml", "name: uses\n");
        dir.Write("suites/uses/ran.sh", "touch \"$SKEIN_SUITE_DIR/ran\"\n");
        dir.Write("test.yaml", "name: shaky-apps\nsuites: [suites]\ncluster: { nodes: 1 }\napps: [apps/shaky]\n");
        var state = dir.File("state");

        var run = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--state", state, "--output", "none");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("skein: app 'shaky' failed to start: module 'broken' on node node-1", run.Stderr);
        Assert.Contains("no experiment ran", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.False(File.Exists(dir.File("suites/uses/ran")));
        // The embedded cluster had started (its log says the node joined) and no process of it is left.
        var logs = run.Stdout.Split("logs: ") is [_, var printed] ? printed.Trim() : Directory.GetDirectories(Path.Combine(state, "test", "shaky-apps", "logs")).Single();
        Assert.Contains("joined", File.ReadAllText(Path.Combine(logs, "cluster.log")));
        Assert.Empty(ProcessesMentioning(state));
    }

    /// <summary>The processes whose command line names <paramref name="text"/> (the embedded cluster's give its state directory).</summary>
    private static List<int> ProcessesMentioning(string text)
    {
        var found = new List<int>();
        foreach (var directory in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Contains(text, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // It ended while being looked at.
            }
        }
        return found;
    }

    [Fact]
    public async Task An_unknown_app_is_bad_input_before_anything_is_deployed()
    {
        using var dir = new TempDirectory();
        dir.Write("apps/base/app.yaml", "name: base\nmodules: []\n");
        dir.Write("suites/uses/suite.yaml", "name: uses\n");
        dir.Write("suites/uses/ran.sh", "true\n");
        dir.Write("test.yaml", "suites: [suites]\napps: [bsae, apps/missing]\n");

        var run = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--dry-run");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("test.yaml:2", run.Stderr);
        Assert.Contains("'bsae'", run.Stderr);
        Assert.Contains("'apps': no app file at apps/missing", run.Stderr);
    }
}
