namespace Skein.Cli.Tests;

/// <summary>
/// A coordinator killed (SIGKILL) while a task of its run runs on a node, and started again on the same state
/// directory: the task runs again only once its node has stopped the attempt it was running, never beside it.
/// </summary>
public sealed class CoordinatorRestartTests
{
    private static readonly TimeSpan Patience = TestPatience.Ceiling;

    /// <summary>
    /// Its first attempt runs until stopped, and then takes as long as the test says to stop (it waits for 'release'
    /// after SIGTERM); its second passes at once. Every step is a line in slow.log.
    /// </summary>
    private const string SlowToStopJob = """
        name: slow-to-stop
        tasks:
          slow:
            kill-grace: 10m
            run: |
              if [ -f slow.once ]; then echo "again $$" >> slow.log; exit 0; fi
              touch slow.once
              trap 'echo "stopping $$" >> slow.log; while [ ! -f release ]; do sleep 0.05; done; echo "stopped $$" >> slow.log; exit 1' TERM
              echo "start $$" >> slow.log
              echo "slow is running"
              while true; do sleep 0.05; done
        """;

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_task_running_when_the_coordinator_is_killed_runs_again_only_after_its_node_stopped_it()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", SlowToStopJob);
        var listen = $"127.0.0.1:{FreePort()}";
        var coordinator = await StartCoordinatorAsync(dir.Path, listen);
        await using var node = SkeinProcess.Start(dir.Path, "node", "--name", "worker", "--join", listen);
        await node.WaitForOutputAsync("node worker joined", Patience);
        try
        {
            var detached = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--detach");
            Assert.True(detached.ExitCode == 0, detached.ToString());
            await using (var logs = SkeinProcess.Start(dir.Path, "logs", "1", "slow", "--follow"))
                await logs.WaitForOutputAsync("slow is running", Patience);
            coordinator.Signal(Posix.SigKill);
            await coordinator.WaitForExitAsync(Patience);
        }
        finally
        {
            await coordinator.DisposeAsync();
        }

        // Started again at once, while the node is still stopping the old attempt (it waits for 'release').
        await using var restarted = SkeinProcess.Start(dir.Path, "coordinator", "--listen", listen);
        await WaitForLineAsync(dir.File("slow.log"), "stopping ");
        // Either the node says it waits for the old attempt to stop before joining again, or the task already runs
        // again beside it: let the old attempt end in both cases, and read the order from the log.
        var held = node.WaitForOutputAsync("waiting for 1 attempts given up by their run to stop", Patience);
        var rerun = WaitForLineAsync(dir.File("slow.log"), "again ");
        await Task.WhenAny(held, rerun);
        File.WriteAllText(dir.File("release"), "");

        await restarted.WaitForOutputAsync("coordinator listening on", Patience);
        var attached = await SkeinProcess.RunAsync(dir.Path, "attach", "1");
        Assert.True(attached.ExitCode == 0, attached.ToString());
        Assert.Contains("passed    slow", attached.Stdout);

        var lines = File.ReadAllLines(dir.File("slow.log")).Select(l => l.Split(' ')[0]).ToList();
        Assert.Equal(["start", "stopping", "stopped", "again"], lines);
        Assert.Contains("run 1 was interrupted with attempts on worker; waiting for them", restarted.Stderr);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<SkeinProcess> StartCoordinatorAsync(string directory, string listen)
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

    /// <summary>Completes when the file holds a line starting with the text; watched, not polled on a clock.</summary>
    private static async Task WaitForLineAsync(string path, string start)
    {
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path)) { EnableRaisingEvents = true };
        var changed = new SemaphoreSlim(0);
        watcher.Created += (_, _) => changed.Release();
        watcher.Changed += (_, _) => changed.Release();
        using var patience = new CancellationTokenSource(Patience);
        while (!HasLine(path, start)) await changed.WaitAsync(patience.Token);
    }

    private static bool HasLine(string path, string start)
    {
        try
        {
            return File.Exists(path) && File.ReadLines(path).Any(l => l.StartsWith(start, StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }
}
