using System.Text.Json;
using System.Text.RegularExpressions;

namespace Skein.Cli.Tests;

/// <summary>
/// Runs hosted by a cluster's coordinator, with real skein processes on loopback: the same job file in this process,
/// on a throwaway <c>--nodes 2</c> cluster and on a <c>skein up</c> one; detach, attach, logs --follow and cancel from
/// another directory; Ctrl+C and kill -9 of the attached client; a wrong token and an unreachable cluster.
/// </summary>
public sealed partial class ClusterRunTests
{
    private static readonly TimeSpan Patience = TestPatience.Ceiling;

    /// <summary>A task that says it started, then waits for a file the test writes: no clock decides when it ends.</summary>
    private const string GatedJob = """
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
    private const string BlockedJob = """
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

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Detach_then_logs_follow_attach_and_cancel_work_from_another_directory_with_cluster_and_token_file()
    {
        using var clusterDir = new TempDirectory();
        await using var up = await StartUpAsync(clusterDir.Path);
        var address = UpAddress().Match(up.Stdout).Groups[1].Value;
        var token = clusterDir.File(".skein/token");
        using var elsewhere = new TempDirectory();
        elsewhere.Write("gated.yaml", GatedJob);
        elsewhere.Write("blocked.yaml", BlockedJob);
        string[] connect = ["--cluster", address, "--token-file", token];

        var detached = await SkeinProcess.RunAsync(elsewhere.Path, ["run", "gated.yaml", "--detach", .. connect]);
        Assert.True(detached.ExitCode == 0, detached.ToString());
        var runId = detached.Stdout.Trim();
        Assert.Matches("^[0-9]+$", runId);

        // Follow the running task's log live; it ends by itself when the task ends.
        await using (var logs = SkeinProcess.Start(elsewhere.Path, ["logs", runId, "first", "--follow", .. connect]))
        {
            await logs.WaitForOutputAsync("first is running", Patience);
            File.WriteAllText(elsewhere.File("go"), "");
            Assert.Equal(0, await logs.WaitForExitAsync(Patience));
            Assert.Contains("first saw go", logs.Stdout);
        }

        // Attaching replays the whole run and ends with its report and verdict.
        var attached = await SkeinProcess.RunAsync(elsewhere.Path, ["attach", runId, .. connect]);
        Assert.True(attached.ExitCode == 0, attached.ToString());
        Assert.Contains("start     first", attached.Stdout);
        Assert.Contains("passed    second", attached.Stdout);
        Assert.Contains($"run {runId} passed in", attached.Stdout);

        var runs = await SkeinProcess.RunAsync(elsewhere.Path, ["runs", .. connect]);
        Assert.True(runs.ExitCode == 0, runs.ToString());
        Assert.Contains("gated", runs.Stdout);
        // Without a cluster named, runs reads the local journal, which has none here.
        Assert.False(Directory.Exists(elsewhere.File(".skein")));

        // A run cancelled from elsewhere: its attached follower sees it end cancelled.
        var blocked = await SkeinProcess.RunAsync(elsewhere.Path, ["run", "blocked.yaml", "--detach", .. connect]);
        Assert.True(blocked.ExitCode == 0, blocked.ToString());
        var blockedId = blocked.Stdout.Trim();
        await using var follower = SkeinProcess.Start(elsewhere.Path, ["attach", blockedId, .. connect]);
        await follower.WaitForOutputAsync("start     block", Patience);
        var cancel = await SkeinProcess.RunAsync(elsewhere.Path, ["cancel", blockedId, .. connect]);
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Contains($"run {blockedId} cancelled", cancel.Stdout);
        Assert.Equal(1, await follower.WaitForExitAsync(Patience));
        Assert.Contains("cancelled block", follower.Stdout);
        Assert.Contains($"run {blockedId} cancelled", follower.Stdout);
        await AssertStoppedAsync(elsewhere.File("block.pid"));

        var show = await SkeinProcess.RunAsync(elsewhere.Path, ["show", blockedId, .. connect]);
        Assert.Contains($"run {blockedId} of blocked: cancelled", show.Stdout);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Ctrl_c_on_an_attached_run_cancels_it_on_the_cluster_and_exits_130()
    {
        using var dir = new TempDirectory();
        dir.Write("blocked.yaml", BlockedJob);
        await using var up = await StartUpAsync(dir.Path);

        await using var client = SkeinProcess.Start(dir.Path, "run", "blocked.yaml");
        await client.WaitForOutputAsync("start     block", Patience);
        await WaitForFileAsync(dir.File("block.pid"));
        client.Signal(Posix.SigInt);
        Assert.Equal(130, await client.WaitForExitAsync(Patience));
        Assert.Contains("cancelling run 1 on the cluster", client.Stderr);

        var show = await SkeinProcess.RunAsync(dir.Path, "show", "1");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("run 1 of blocked: cancelled", show.Stdout);
        await AssertStoppedAsync(dir.File("block.pid"));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_client_killed_with_sigkill_leaves_the_run_going_to_its_end()
    {
        using var dir = new TempDirectory();
        dir.Write("gated.yaml", GatedJob);
        await using var up = await StartUpAsync(dir.Path);

        await using (var client = SkeinProcess.Start(dir.Path, "run", "gated.yaml"))
        {
            await client.WaitForOutputAsync("start     first", Patience);
            client.Signal(Posix.SigKill);
            await client.WaitForExitAsync(Patience);
        }
        File.WriteAllText(dir.File("go"), "");

        // Attach follows it to its end; show then reads the coordinator's journal.
        var attached = await SkeinProcess.RunAsync(dir.Path, "attach", "latest");
        Assert.True(attached.ExitCode == 0, attached.ToString());
        var show = await SkeinProcess.RunAsync(dir.Path, "show", "1");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("run 1 of gated: passed", show.Stdout);
        Assert.Matches(@"second\s*│\s*passed", show.Stdout);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_wrong_token_or_an_unreachable_cluster_named_explicitly_is_exit_2_and_nothing_is_submitted()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", "name: nothing\ntasks:\n  touch: { run: \"touch ran\" }\n");
        await using var up = await StartUpAsync(dir.Path);
        var wrong = dir.WritePrivate("wrong-token", "0123456789abcdef0123456789abcdef");

        var refused = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--token-file", wrong);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("refused the cluster token (unauthenticated)", refused.Stderr);
        Assert.DoesNotContain("   at ", refused.Stderr);

        var unreachable = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--cluster", "127.0.0.1:1", "--token-file", wrong);
        Assert.True(unreachable.ExitCode == 2, unreachable.ToString());
        Assert.Contains("cannot reach the cluster at", unreachable.Stderr);
        Assert.Contains("127.0.0.1:1", unreachable.Stderr);
        Assert.Contains("nothing was submitted", unreachable.Stderr);

        var runs = await SkeinProcess.RunAsync(dir.Path, "runs");
        Assert.True(runs.ExitCode == 0, runs.ToString());
        Assert.Contains("no runs yet", runs.Stdout);
        Assert.False(File.Exists(dir.File("ran")));

        // --detach with no cluster named is bad input too.
        using var alone = new TempDirectory();
        alone.Write("job.yaml", "name: nothing\ntasks:\n  touch: { run: \"touch ran\" }\n");
        var detach = await SkeinProcess.RunAsync(alone.Path, "run", "job.yaml", "--detach");
        Assert.True(detach.ExitCode == 2, detach.ToString());
        Assert.Contains("--detach needs a cluster", detach.Stderr);
        Assert.False(File.Exists(alone.File("ran")));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Resume_on_a_cluster_reuses_what_passed_in_the_coordinators_journal()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: resumable
            tasks:
              slow-part: { run: "echo done >> slow-part.count" }
              fragile: { run: "test -f fixed", needs: [slow-part] }
            """);
        await using var up = await StartUpAsync(dir.Path);

        var first = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml");
        Assert.True(first.ExitCode == 1, first.ToString());
        File.WriteAllText(dir.File("fixed"), "");
        var resumed = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("reused from run 1", resumed.Stdout);
        Assert.Single(File.ReadAllLines(dir.File("slow-part.count")));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Ctrl_c_on_a_run_with_nodes_cancels_it_stops_its_cluster_and_exits_130()
    {
        using var dir = new TempDirectory();
        dir.Write("blocked.yaml", BlockedJob);

        await using var client = SkeinProcess.Start(dir.Path, "run", "--nodes", "1", "blocked.yaml");
        await client.WaitForOutputAsync("start     block", Patience);
        await WaitForFileAsync(dir.File("block.pid"));
        client.Signal(Posix.SigInt);
        Assert.Equal(130, await client.WaitForExitAsync(Patience));
        Assert.Contains("cancelled block", client.Stdout);
        await AssertStoppedAsync(dir.File("block.pid"));
        // Nothing of the throwaway cluster is left in the directory the run was started from.
        Assert.False(Directory.Exists(dir.File(".skein")));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_coordinator_killed_mid_run_and_started_again_resumes_the_run_without_rerunning_what_passed()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: restartable
            tasks:
              first: { run: "echo once >> first.count" }
              second:
                needs: [first]
                run: |
                  echo "second is running"
                  while [ ! -f go ]; do sleep 0.05; done
            """);
        // The coordinator comes back on the same port, where its node finds it again.
        var listen = $"127.0.0.1:{FreePort()}";
        var coordinator = await StartCoordinatorAsync(dir.Path, listen);
        await using var node = SkeinProcess.Start(dir.Path, "node", "--name", "worker", "--join", listen);
        await node.WaitForOutputAsync("node worker joined", Patience);
        try
        {
            var detached = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--detach");
            Assert.True(detached.ExitCode == 0, detached.ToString());
            Assert.Equal("1", detached.Stdout.Trim());
            await using (var logs = SkeinProcess.Start(dir.Path, "logs", "1", "second", "--follow"))
                await logs.WaitForOutputAsync("second is running", Patience);
            coordinator.Signal(Posix.SigKill);
            await coordinator.WaitForExitAsync(Patience);
        }
        finally
        {
            await coordinator.DisposeAsync();
        }

        await using var restarted = await StartCoordinatorAsync(dir.Path, listen);
        Assert.Contains("run 1 was interrupted when the coordinator stopped; resumed as run 2", restarted.Stderr);
        File.WriteAllText(dir.File("go"), "");
        // The old id names the run that continues it.
        var attached = await SkeinProcess.RunAsync(dir.Path, "attach", "1");
        Assert.True(attached.ExitCode == 0, attached.ToString());
        Assert.Contains("reused from run 1", attached.Stdout);
        Assert.Contains("passed    second", attached.Stdout);
        var show = await SkeinProcess.RunAsync(dir.Path, "show", "latest");
        Assert.Contains("run 2 of restartable: passed", show.Stdout);
        Assert.Contains("(resumed from run 1)", show.Stdout);
        Assert.Single(File.ReadAllLines(dir.File("first.count")));
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<SkeinProcess> StartCoordinatorAsync(string directory, string listen = "127.0.0.1:0")
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

    private static async Task<SkeinProcess> StartUpAsync(string directory)
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

    private static async Task WaitForFileAsync(string path)
    {
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path)) { EnableRaisingEvents = true };
        var appeared = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Created += (_, _) => appeared.TrySetResult();
        watcher.Changed += (_, _) => appeared.TrySetResult();
        if (File.Exists(path) && new FileInfo(path).Length > 0) return;
        await appeared.Task.WaitAsync(Patience);
    }

    /// <summary>The task's shell is gone: the run is recorded cancelled only once its command has exited.</summary>
    private static async Task AssertStoppedAsync(string pidFile)
    {
        await WaitForFileAsync(pidFile);
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Posix.IsAlive(pid), $"the task's shell {pid} is still running");
    }

    [GeneratedRegex(@"cluster up at (\S+) with")]
    private static partial Regex UpAddress();
}
