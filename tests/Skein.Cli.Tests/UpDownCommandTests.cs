using System.Diagnostics;
using System.Globalization;
using static Skein.Cli.Tests.ClusterTests;

namespace Skein.Cli.Tests;

/// <summary><c>skein up</c> and <c>skein down</c> as real processes: the nodes they start, and that none is left behind.</summary>
public sealed class UpDownCommandTests
{
    private static readonly TimeSpan Timeout = TestPatience.Ceiling;

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
}
