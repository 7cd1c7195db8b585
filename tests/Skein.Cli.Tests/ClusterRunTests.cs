using System.Text.Json;
using System.Text.RegularExpressions;

namespace Skein.Cli.Tests;

/// <summary>
/// Runs hosted by a cluster's coordinator, with real skein processes on loopback: the same job file in this process,
/// on a throwaway <c>--nodes 2</c> cluster and on a <c>skein up</c> one; detach, attach, logs --follow and cancel from
/// another directory; Ctrl+C and kill -9 of the attached client; a wrong token and an unreachable cluster.
/// The tests are spread over three classes (this one, <see cref="ClusterRunAttachTests"/> and
/// <see cref="ClusterRunRecoveryTests"/>) so that they run side by side rather than one long chain; the jobs and helpers live here.
/// </summary>
public sealed partial class ClusterRunTests
{
    internal static readonly TimeSpan Patience = TestPatience.Ceiling;

    /// <summary>A task that says it started, then waits for a file the test writes: no clock decides when it ends.</summary>
    internal const string GatedJob = """
        name: gated
        tasks:
          first:
            run: |
              echo "first is running"
              while [ ! -f go ]; do sleep 0.05; done
              echo "first saw go"
          second:
            needs: [first]
            run: echo "second ran"
        """;

    /// <summary>A task that never ends by itself, and records the pid of its shell so the test can see it stopped.</summary>
    internal const string BlockedJob = """
        name: blocked
        tasks:
          block:
            run: |
              echo $$ > block.pid
              echo "block is running"
              while true; do sleep 0.05; done
          after:
            needs: [block]
            run: echo never
        """;

    /// <summary>Outcomes of every kind, a retry and a group: what the three ways must agree on.</summary>
    private const string MixedJob = """
        name: mixed
        groups:
          serial: { workers: 1 }
        tasks:
          ok: { run: "echo fine" }
          warn: { run: "exit 3", warn-exit-codes: [3] }
          bad: { run: "echo broken >&2; exit 4" }
          skipped: { run: "true", needs: [bad] }
          flaky:
            retries: 1
            run: |
              if [ -f flaky.once ]; then exit 0; fi
              touch flaky.once; exit 1
          one: { run: "true", group: serial, claims: [port] }
          two: { run: "true", group: serial, claims: [port], priority: 5 }
        """;

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task The_same_job_file_gives_the_same_outcomes_and_exit_code_in_process_with_nodes_2_and_on_a_skein_up_cluster()
    {
        var quickstart = File.ReadAllText(Path.Combine(RunCommandTests.RepositoryRoot(), "examples", "quickstart.yaml"));
        using var inProcess = Prepared(quickstart);
        using var throwaway = Prepared(quickstart);
        using var upDir = Prepared(quickstart);

        var local = await SkeinProcess.RunAsync(inProcess.Path, "run", "quickstart.yaml", "--json", "report.json", "--junit", "junit.xml");
        var nodes = await SkeinProcess.RunAsync(throwaway.Path, "run", "--nodes", "2", "quickstart.yaml", "--json", "report.json", "--junit", "junit.xml");
        await using var up = await StartUpAsync(upDir.Path);
        var cluster = await SkeinProcess.RunAsync(upDir.Path, "run", "quickstart.yaml", "--json", "report.json", "--junit", "junit.xml");

        Assert.True(local.ExitCode == 0, local.ToString());
        Assert.True(nodes.ExitCode == 0, nodes.ToString());
        Assert.True(cluster.ExitCode == 0, cluster.ToString());
        var expected = Outcomes(inProcess.File("report.json"));
        Assert.Equal(7, expected.Count);
        Assert.Equal(expected, Outcomes(throwaway.File("report.json")));
        Assert.Equal(expected, Outcomes(upDir.File("report.json")));
        Assert.True(File.Exists(throwaway.File("junit.xml")) && File.Exists(upDir.File("junit.xml")));
        // The same plain progress lines and summary, wherever the run was.
        foreach (var result in new[] { nodes, cluster })
        {
            Assert.Contains("passed    report", result.Stdout);
            Assert.Contains("run 1 passed in", result.Stdout);
        }

        // The up cluster's run lives in the coordinator's journal: skein show reads it there.
        var show = await SkeinProcess.RunAsync(upDir.Path, "show", "latest");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("run 1 of quickstart: passed", show.Stdout);
        // --nodes stopped its cluster: no skein up, no connection file is left where it ran.
        Assert.False(File.Exists(throwaway.File(".skein/cluster.json")));
    }

    /// <summary>Tasks that say where they ran, and one that reads another's output: on nodes, not in the coordinator.</summary>
    private const string WhereJob = """
        name: where
        tasks:
          probe-{{matrix.i}}:
            matrix: { i: [1, 2, 3, 4] }
            run: |
              echo "probe ran on ${SKEIN_NODE:-no-node} as $SKEIN_TASK attempt $SKEIN_ATTEMPT"
              echo "::output node=${SKEIN_NODE:-no-node}"
          report:
            needs: [probe-1]
            run: |
              [ -n "$SKEIN_NODE" ] || { echo "report ran outside any node"; exit 9; }
              echo "probe-1 ran on {{tasks.probe-1.outputs.node}}"
        """;

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Show_of_a_run_on_a_cluster_lists_the_outputs_its_tasks_set_on_the_nodes()
    {
        using var dir = Prepared(WhereJob);
        await using var up = await StartUpAsync(dir.Path);

        var run = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml");
        var show = await SkeinProcess.RunAsync(dir.Path, "show", "latest");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Matches(@"probe-1\.node = \S+", show.Stdout);
        Assert.DoesNotContain("no-node", show.Stdout);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_run_on_nodes_2_runs_its_commands_on_the_nodes_and_hands_outputs_across_them()
    {
        using var dir = Prepared(WhereJob);

        var run = await SkeinProcess.RunAsync(dir.Path, "run", "--nodes", "2", "job.yaml", "--json", "report.json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var report = JsonDocument.Parse(File.ReadAllText(dir.File("report.json")));
        var nodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in report.RootElement.GetProperty("tasks").EnumerateArray())
        {
            if (!task.GetProperty("id").GetString()!.StartsWith("probe-", StringComparison.Ordinal)) continue;
            var node = task.GetProperty("outputs").GetProperty("node").GetString()!;
            Assert.NotEqual("no-node", node);
            nodes.Add(node);
        }
        Assert.NotEmpty(nodes);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_job_that_fails_gives_the_same_outcomes_and_exit_1_in_process_with_nodes_2_and_on_a_skein_up_cluster()
    {
        using var inProcess = Prepared(MixedJob);
        using var throwaway = Prepared(MixedJob);
        using var upDir = Prepared(MixedJob);

        var local = await SkeinProcess.RunAsync(inProcess.Path, "run", "job.yaml", "--json", "report.json");
        var nodes = await SkeinProcess.RunAsync(throwaway.Path, "run", "job.yaml", "--nodes", "2", "--json", "report.json");
        await using var up = await StartUpAsync(upDir.Path);
        var cluster = await SkeinProcess.RunAsync(upDir.Path, "run", "job.yaml", "--json", "report.json");

        Assert.True(local.ExitCode == 1, local.ToString());
        Assert.True(nodes.ExitCode == 1, nodes.ToString());
        Assert.True(cluster.ExitCode == 1, cluster.ToString());
        var expected = Outcomes(inProcess.File("report.json"));
        Assert.Equal("failed", expected["bad"]);
        Assert.Equal("skipped", expected["skipped"]);
        Assert.Equal("warned", expected["warn"]);
        Assert.Equal("passed", expected["flaky"]);
        Assert.Equal(expected, Outcomes(throwaway.File("report.json")));
        Assert.Equal(expected, Outcomes(upDir.File("report.json")));
        Assert.Contains("retry     flaky: attempt 1 failed", cluster.Stdout);
        Assert.Contains("exit code 4", cluster.Stdout);

        // --local runs in this process even with the cluster up: a run of its own in the same journal, same verdict.
        var forced = await SkeinProcess.RunAsync(upDir.Path, "run", "job.yaml", "--local");
        Assert.True(forced.ExitCode == 1, forced.ToString());
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static async Task<SkeinProcess> StartCoordinatorAsync(string directory, string listen = "127.0.0.1:0")
    {
        var coordinator = SkeinProcess.Start(directory, "coordinator", "--listen", listen);
        try
        {
            await coordinator.WaitForOutputAsync("coordinator listening on", Patience);
        }
        catch
        {
            await coordinator.DisposeAsync();
            throw;
        }
        return coordinator;
    }

    private static TempDirectory Prepared(string job)
    {
        var dir = new TempDirectory();
        dir.Write(job.Contains("quickstart", StringComparison.Ordinal) ? "quickstart.yaml" : "job.yaml", job);
        return dir;
    }

    private static Dictionary<string, string> Outcomes(string reportPath)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(reportPath));
        return json.RootElement.GetProperty("tasks").EnumerateArray()
            .ToDictionary(t => t.GetProperty("id").GetString()!, t => t.GetProperty("outcome").GetString()!);
    }

    internal static async Task<SkeinProcess> StartUpAsync(string directory)
    {
        var up = SkeinProcess.Start(directory, "up", "--nodes", "1");
        try
        {
            await up.WaitForOutputAsync("cluster up at", Patience);
        }
        catch
        {
            await up.DisposeAsync();
            throw;
        }
        return up;
    }

    internal static async Task WaitForFileAsync(string path)
    {
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path)) { EnableRaisingEvents = true };
        var appeared = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Created += (_, _) => appeared.TrySetResult();
        watcher.Changed += (_, _) => appeared.TrySetResult();
        if (File.Exists(path) && new FileInfo(path).Length > 0) return;
        await appeared.Task.WaitAsync(Patience);
    }

    /// <summary>The task's shell is gone: the run is recorded cancelled only once its command has exited.</summary>
    internal static async Task AssertStoppedAsync(string pidFile)
    {
        await WaitForFileAsync(pidFile);
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Posix.IsAlive(pid), $"the task's shell {pid} is still running");
    }

    [GeneratedRegex(@"cluster up at (\S+) with")]
    internal static partial Regex UpAddress();
}
