using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Skein.Cli.Tests;

/// <summary>
/// Coordinator and nodes as real skein processes on loopback, each test with its own state directory. The helpers
/// here also serve <see cref="EventsCommandTests"/>, <see cref="ModuleHooksCommandTests"/> and <see cref="UpDownCommandTests"/>,
/// separate classes so that their tests run beside these rather than after them.
/// </summary>
public partial class ClusterTests
{
    internal static readonly TimeSpan Timeout = TestPatience.Ceiling;

    internal static async Task<(SkeinProcess Process, string Address)> StartCoordinatorAsync(string directory, string listen = "127.0.0.1:0", params string[] more)
    {
        var coordinator = SkeinProcess.Start(directory, ["coordinator", "--listen", listen, .. more]);
        await StopIfFailedAsync(coordinator, coordinator.WaitForOutputAsync("coordinator listening on", Timeout));
        var address = ListeningOn().Match(coordinator.Stdout).Groups[1].Value;
        Assert.StartsWith("http://127.0.0.1:", address);
        return (coordinator, address);
    }

    internal static async Task<SkeinProcess> StartNodeAsync(string directory, string name, params string[] more)
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

    internal static async Task StopAsync(SkeinProcess process)
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


    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Processes whose command line mentions the text (the test's own directory), found through /proc.</summary>
    internal static List<int> ProcessesMentioning(string text)
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
