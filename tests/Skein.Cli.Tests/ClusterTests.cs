using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Skein.Cli.Tests;

/// <summary>Coordinator and nodes as real skein processes on loopback, each test with its own state directory.</summary>
public partial class ClusterTests
{
    private static readonly TimeSpan Timeout = TestPatience.Ceiling;

    private static async Task<(SkeinProcess Process, string Address)> StartCoordinatorAsync(string directory, string listen = "127.0.0.1:0")
    {
        var coordinator = SkeinProcess.Start(directory, "coordinator", "--listen", listen);
        await StopIfFailedAsync(coordinator, coordinator.WaitForOutputAsync("coordinator listening on", Timeout));
        var address = ListeningOn().Match(coordinator.Stdout).Groups[1].Value;
        Assert.StartsWith("http://127.0.0.1:", address);
        return (coordinator, address);
    }

    private static async Task<SkeinProcess> StartNodeAsync(string directory, string name, params string[] more)
    {
        var node = SkeinProcess.Start(directory, ["node", "--name", name, .. more]);
        await StopIfFailedAsync(node, node.WaitForOutputAsync($"node {name} joined", Timeout));
        return node;
    }

    // A process that never said it was ready is not returned, so nothing else would stop it.
    private static async Task StopIfFailedAsync(SkeinProcess process, Task ready)
    {
        try
        {
            await ready;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private static async Task StopAsync(SkeinProcess process)
    {
        process.Signal(Posix.SigInt);
        Assert.Equal(0, await process.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task Two_nodes_join_and_skein_nodes_lists_them()
    {
        using var dir = new TempDirectory();
        var (coordinator, address) = await StartCoordinatorAsync(dir.Path);
        await using var _ = coordinator;
        await using var a = await StartNodeAsync(dir.Path, "alpha", "--labels", "gpu=a100,zone=b", "--cores", "3");
        await using var b = await StartNodeAsync(dir.Path, "beta");

        var nodes = await SkeinProcess.RunAsync(dir.Path, "nodes");
        Assert.True(nodes.ExitCode == 0, nodes.ToString());
        var lines = nodes.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("NAME", lines[0]);
        Assert.Contains("LAST HEARTBEAT", lines[0]);
        Assert.Matches(@"^alpha\s+127\.0\.0\.1\s+alive\s+3\s+.*gpu=a100,zone=b", lines[1]);
        Assert.Matches(@"^beta\s+127\.0\.0\.1\s+alive\s", lines[2]);

        // The address can come from --cluster as well as from the connection file.
        var elsewhere = new TempDirectory();
        using (elsewhere)
        {
            var explicitAddress = await SkeinProcess.RunAsync(elsewhere.Path, "nodes", "--cluster", address, "--token-file", Path.Combine(dir.Path, ".skein", "token"));
            Assert.True(explicitAddress.ExitCode == 0, explicitAddress.ToString());
            Assert.Contains("alpha", explicitAddress.Stdout);
        }

        await StopAsync(a);
        await coordinator.WaitForOutputAsync("node alpha left", Timeout);
        await StopAsync(b);
        await StopAsync(coordinator);
        Assert.False(File.Exists(Path.Combine(dir.Path, ".skein", "cluster.json")));
    }

    [Fact]
    public async Task A_node_killed_with_sigkill_is_lost_within_three_seconds()
    {
        using var dir = new TempDirectory();
        var (coordinator, _) = await StartCoordinatorAsync(dir.Path);
        await using var _c = coordinator;
        await using var victim = await StartNodeAsync(dir.Path, "victim");
        await using var survivor = await StartNodeAsync(dir.Path, "survivor");

        victim.Signal(Posix.SigKill);
        await coordinator.WaitForOutputAsync("node victim lost: its session broke", Timeout); // at once, not at the missed heartbeats

        var nodes = await SkeinProcess.RunAsync(dir.Path, "nodes");
        Assert.Matches(@"(?m)^victim\s+\S+\s+lost", nodes.Stdout);
        Assert.Matches(@"(?m)^survivor\s+\S+\s+alive", nodes.Stdout);
    }

    [Fact]
    public async Task A_frozen_node_is_lost_after_missed_heartbeats_and_registers_again_when_it_wakes()
    {
        using var dir = new TempDirectory();
        var (coordinator, _) = await StartCoordinatorAsync(dir.Path);
        await using var _c = coordinator;
        await using var node = await StartNodeAsync(dir.Path, "sleeper");

        node.Signal(Posix.SigStop); // its connection stays open, its heartbeats stop
        try
        {
            await coordinator.WaitForOutputAsync("node sleeper lost: no heartbeat for 3 s", Timeout);
        }
        finally
        {
            node.Signal(Posix.SigCont);
        }
        await node.WaitForOutputAsync("registered again", Timeout);
        var nodes = await SkeinProcess.RunAsync(dir.Path, "nodes");
        Assert.Matches(@"(?m)^sleeper\s+\S+\s+alive", nodes.Stdout);
    }

    [Fact]
    public async Task A_node_registers_again_after_the_coordinator_restarts()
    {
        using var dir = new TempDirectory();
        var (coordinator, address) = await StartCoordinatorAsync(dir.Path);
        await using var node = await StartNodeAsync(dir.Path, "steady", "--join", address);
        await StopAsync(coordinator);
        await coordinator.DisposeAsync();

        var (restarted, _) = await StartCoordinatorAsync(dir.Path, new Uri(address).Authority);
        await using var _r = restarted;
        await node.WaitForOutputAsync("registered again", Timeout);
        var nodes = await SkeinProcess.RunAsync(dir.Path, "nodes");
        Assert.Matches(@"(?m)^steady\s+\S+\s+alive", nodes.Stdout);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_with_exit_2()
    {
        using var dir = new TempDirectory();
        var (coordinator, address) = await StartCoordinatorAsync(dir.Path);
        await using var _ = coordinator;
        var wrong = dir.WritePrivate("wrong-token", "0123456789abcdef0123456789abcdef");

        var nodes = await SkeinProcess.RunAsync(dir.Path, "nodes", "--token-file", wrong);
        Assert.True(nodes.ExitCode == 2, nodes.ToString());
        Assert.Contains("refused the cluster token (unauthenticated)", nodes.Stderr);

        var node = await SkeinProcess.RunAsync(dir.Path, "node", "--join", address, "--token-file", wrong);
        Assert.True(node.ExitCode == 2, node.ToString());
        Assert.Contains("unauthenticated", node.Stderr);
        Assert.DoesNotContain("   at ", node.Stderr);
    }

    [Fact]
    public async Task A_token_file_others_may_read_or_write_or_a_short_token_is_refused_naming_the_file()
    {
        if (OperatingSystem.IsWindows()) return; // file modes are a POSIX matter
        using var dir = new TempDirectory();
        var stateToken = dir.Write(".skein/token", "knownweaktoken0123456789abcdef0123");
        File.SetUnixFileMode(stateToken, (UnixFileMode)0b110_110_110); // 0666: anyone may read and replace it

        var coordinator = await SkeinProcess.RunAsync(dir.Path, "coordinator", "--listen", "127.0.0.1:0");
        Assert.True(coordinator.ExitCode == 2, coordinator.ToString());
        Assert.Contains($"the token file {Path.GetFullPath(stateToken)} is readable and writable by other users", coordinator.Stderr);
        Assert.Contains($"chmod 600 {Path.GetFullPath(stateToken)}", coordinator.Stderr);

        var up = await SkeinProcess.RunAsync(dir.Path, "up", "--nodes", "0");
        Assert.True(up.ExitCode == 2, up.ToString());
        Assert.Contains("chmod 600", up.Stderr);

        var weak = dir.WritePrivate("weak-token", "knownweaktoken");
        var nodes = await SkeinProcess.RunAsync(dir.Path, "nodes", "--cluster", "127.0.0.1:1", "--token-file", weak);
        Assert.True(nodes.ExitCode == 2, nodes.ToString());
        Assert.Contains($"the token in {weak} is too short to keep the cluster safe: 14 characters", nodes.Stderr);

        var readable = dir.Write("readable-token", "0123456789abcdef0123456789abcdef");
        File.SetUnixFileMode(readable, (UnixFileMode)0b110_100_000); // 0640
        var call = await SkeinProcess.RunAsync(dir.Path, "call", "echo", "Echo", "--cluster", "127.0.0.1:1", "--token-file", readable);
        Assert.True(call.ExitCode == 2, call.ToString());
        Assert.Contains($"the token file {readable} is readable by other users", call.Stderr);
        Assert.DoesNotContain("   at ", call.Stderr);
    }

    [Fact]
    public async Task Garbage_and_http1_on_the_port_leave_the_coordinator_serving()
    {
        using var dir = new TempDirectory();
        var (coordinator, address) = await StartCoordinatorAsync(dir.Path);
        await using var _c = coordinator;
        var port = new Uri(address).Port;
        var ct = TestContext.Current.CancellationToken;
        foreach (var bytes in new[] { System.Text.Encoding.ASCII.GetBytes("GET /skein.v1.Membership/ListNodes HTTP/1.1\r\nHost: x\r\n\r\n"), Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 + 7)).ToArray() })
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, ct);
            var stream = client.GetStream();
            await stream.WriteAsync(bytes, ct);
            var buffer = new byte[1024];
            try
            {
                while (await stream.ReadAsync(buffer, ct).AsTask().WaitAsync(Timeout, ct) > 0) { }
            }
            catch (IOException)
            {
                // reset: refused all the same
            }
        }
        await using var node = await StartNodeAsync(dir.Path, "after");
        var nodes = await SkeinProcess.RunAsync(dir.Path, "nodes");
        Assert.Matches(@"(?m)^after\s+\S+\s+alive", nodes.Stdout);
    }

    [Fact]
    public async Task Heartbeat_settings_that_cannot_work_are_refused()
    {
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "coordinator", "--listen", "127.0.0.1:0", "--heartbeat-interval", "2", "--lost-after", "1");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("lost-after (1 s) must be longer than the heartbeat interval (2 s)", result.Stderr);
    }

    [Fact]
    public async Task A_second_coordinator_on_the_same_state_directory_is_refused()
    {
        using var dir = new TempDirectory();
        var (coordinator, address) = await StartCoordinatorAsync(dir.Path);
        await using var _c = coordinator;
        var second = await SkeinProcess.RunAsync(dir.Path, "coordinator", "--listen", "127.0.0.1:0");
        Assert.True(second.ExitCode == 2, second.ToString());
        Assert.Contains($"already running from the state directory", second.Stderr);
        Assert.Contains(address, second.Stderr);
    }

    [Fact]
    public async Task A_name_already_alive_is_refused_with_exit_2()
    {
        using var dir = new TempDirectory();
        var (coordinator, _) = await StartCoordinatorAsync(dir.Path);
        await using var _c = coordinator;
        await using var first = await StartNodeAsync(dir.Path, "twin");
        var second = await SkeinProcess.RunAsync(dir.Path, "node", "--name", "twin");
        Assert.True(second.ExitCode == 2, second.ToString());
        Assert.Contains("'twin' is already alive", second.Stderr);
    }

    [Fact]
    public async Task Bad_labels_are_exit_2_and_an_unreachable_coordinator_exit_1_with_a_clear_error()
    {
        using var dir = new TempDirectory();
        var token = dir.WritePrivate("token", "0123456789abcdef0123456789abcdef");
        var port = ClosedPort();

        var labels = await SkeinProcess.RunAsync(dir.Path, "node", "--join", $"127.0.0.1:{port}", "--token-file", token, "--labels", "gpu");
        Assert.True(labels.ExitCode == 2, labels.ToString());
        Assert.Contains("invalid label 'gpu'", labels.Stderr);

        var node = await SkeinProcess.RunAsync(dir.Path, "node", "--join", $"127.0.0.1:{port}", "--token-file", token);
        Assert.True(node.ExitCode == 1, node.ToString());
        Assert.Contains($"cannot reach the cluster at http://127.0.0.1:{port}", node.Stderr);

        var nodes = await SkeinProcess.RunAsync(dir.Path, "nodes", "--cluster", $"127.0.0.1:{port}", "--token-file", token);
        Assert.True(nodes.ExitCode == 1, nodes.ToString());
        Assert.Contains($"http://127.0.0.1:{port}", nodes.Stderr);

        var none = await SkeinProcess.RunAsync(dir.Path, "nodes");
        Assert.True(none.ExitCode == 2, none.ToString());
        Assert.Contains("skein up", none.Stderr);
    }

    [Fact]
    public async Task Skein_up_starts_nodes_and_sigint_leaves_no_process_behind()
    {
        using var dir = new TempDirectory();
        await using var up = SkeinProcess.Start(dir.Path, "up", "--nodes", "2");
        await up.WaitForOutputAsync("cluster up at", Timeout);
        var children = ProcessesMentioning(dir.Path).Where(pid => pid != up.Id).ToList();
        Assert.Equal(2, children.Count);

        var nodes = await SkeinProcess.RunAsync(dir.Path, "nodes");
        Assert.Matches(@"(?m)^node-1\s+\S+\s+alive", nodes.Stdout);
        Assert.Matches(@"(?m)^node-2\s+\S+\s+alive", nodes.Stdout);

        await StopAsync(up);
        Assert.All(children, pid => Assert.False(Posix.IsAlive(pid), $"node process {pid} is still running"));
        Assert.False(File.Exists(Path.Combine(dir.Path, ".skein", "up.pid")));
        Assert.False(File.Exists(Path.Combine(dir.Path, ".skein", "cluster.json")));
    }

    [Fact]
    public async Task Nodes_of_skein_up_leave_when_skein_up_is_killed()
    {
        using var dir = new TempDirectory();
        await using var up = SkeinProcess.Start(dir.Path, "up", "--nodes", "2");
        await up.WaitForOutputAsync("cluster up at", Timeout);
        var children = ProcessesMentioning(dir.Path).Where(pid => pid != up.Id).ToList();
        Assert.Equal(2, children.Count);

        up.Signal(Posix.SigKill);
        await up.WaitForExitAsync(Timeout);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        using var deadline = new CancellationTokenSource(Timeout);
        while (children.Any(Posix.IsAlive)) await poll.WaitForNextTickAsync(deadline.Token);
    }

    [Fact]
    public async Task Skein_down_stops_the_cluster_of_skein_up()
    {
        using var dir = new TempDirectory();
        await using var up = SkeinProcess.Start(dir.Path, "up", "--nodes", "1");
        await up.WaitForOutputAsync("cluster up at", Timeout);
        var down = await SkeinProcess.RunAsync(dir.Path, "down");
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Equal(0, await up.WaitForExitAsync(Timeout));
        Assert.Contains("cluster down", up.Stdout);

        var again = await SkeinProcess.RunAsync(dir.Path, "down");
        Assert.True(again.ExitCode == 2, again.ToString());
        Assert.Contains("no local cluster is up", again.Stderr);
    }

    [Fact]
    public async Task Skein_up_whose_nodes_do_not_join_fails_naming_them_rather_than_report_a_smaller_cluster()
    {
        using var dir = new TempDirectory();
        var broken = dir.Write("broken.dll", "not an assembly");

        var up = await SkeinProcess.RunAsync(dir.Path, "up", "--nodes", "2", "--module", broken);

        Assert.True(up.ExitCode == 1, up.ToString());
        Assert.Matches(@"skein: node-\d exited with code \d+ before joining; the cluster is not up", up.Stderr);
        Assert.DoesNotContain("cluster up at", up.Stdout);
        Assert.False(File.Exists(Path.Combine(dir.Path, ".skein", "up.pid")));
    }

    [Fact]
    public async Task Skein_down_sees_a_stopped_but_unreaped_skein_up_as_down()
    {
        using var dir = new TempDirectory();
        var upOutput = dir.File("up.out");
        // A parent that starts skein up and never waits for it, as a script using subprocess.Popen without wait() does:
        // once skein up exits it stays a zombie until this parent goes.
        const string parent = """
            import subprocess, sys
            with open(sys.argv[3], "w") as out:
                child = subprocess.Popen(["dotnet", sys.argv[1], "up", "--nodes", "0", "--state", sys.argv[2]], stdout=out, stderr=subprocess.STDOUT)
            print(child.pid, flush=True)
            sys.stdin.read()
            """;
        var start = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in (string[])["-c", parent, SkeinProcess.SkeinDll, Path.Combine(dir.Path, ".skein"), upOutput]) start.ArgumentList.Add(arg);
        start.Environment["CI"] = "true";
        using var python = Process.Start(start)!;
        try
        {
            var upPid = int.Parse((await python.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken))!.Trim(), CultureInfo.InvariantCulture);
            using (var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50)))
            using (var deadline = new CancellationTokenSource(TestPatience.Ceiling))
            {
                while (!File.Exists(upOutput) || !(await File.ReadAllTextAsync(upOutput, deadline.Token)).Contains("cluster up at", StringComparison.Ordinal))
                    await poll.WaitForNextTickAsync(deadline.Token);
            }

            var down = await SkeinProcess.RunAsync(dir.Path, "down");
            Assert.True(down.ExitCode == 0, down.ToString() + "\n--- skein up\n" + await File.ReadAllTextAsync(upOutput, TestContext.Current.CancellationToken));
            Assert.Contains("cluster down", down.Stdout);
            Assert.False(Posix.IsAlive(upPid), $"skein up (process {upPid}) is still running");
        }
        finally
        {
            python.StandardInput.Close();
            if (!python.WaitForExit(TestPatience.Ceiling)) python.Kill(entireProcessTree: true);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Processes whose command line mentions the text (the test's own directory), found through /proc.</summary>
    private static List<int> ProcessesMentioning(string text)
    {
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid)) continue;
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(entry, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(text, StringComparison.Ordinal) && commandLine.Contains("skein.dll", StringComparison.Ordinal)) found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    [GeneratedRegex(@"coordinator listening on (http://\S+)")]
    private static partial Regex ListeningOn();
}
