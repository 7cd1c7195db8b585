using static Skein.Cli.Tests.ClusterRunTests;

namespace Skein.Cli.Tests;

/// <summary>Runs on a <c>skein up</c> cluster that outlive their client: detach, logs --follow, attach and cancel from another directory, Ctrl+C and kill -9 of the attached client. Jobs and helpers: <see cref="ClusterRunTests"/>.</summary>
public sealed class ClusterRunAttachTests
{
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
}
