namespace Skein.Cli.Tests;

/// <summary>
/// A pipeline run on a throwaway cluster of real <c>skein node</c> processes (<c>skein pipeline run --nodes 2</c>):
/// the node running an element is killed with SIGKILL mid-element, and the run does not wait for it: the element's
/// attempt ends node-lost, its retry runs on a node that is alive, and the pipeline finishes.
/// </summary>
public sealed class PipelineNodeLostTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_node_killed_mid_element_does_not_hang_the_pipeline_the_element_is_retried_on_a_live_node()
    {
        using var dir = new TempDirectory();
        var marker = dir.File("stalled");
        // The nodes of the throwaway cluster inherit the variable, so the element finds the marker wherever it runs.
        await using var skein = SkeinProcess.Start(dir.Path, new Dictionary<string, string> { ["SAMPLE_STALL"] = marker }, null,
            "pipeline", "run", PipelineCommandTests.SampleAssembly, "--pipeline", "stalls", "--nodes", "2");

        var said = (await ReadWhenWrittenAsync(marker, skein)).Split(' ');
        var (victim, victimPid) = (said[0], int.Parse(said[1], System.Globalization.CultureInfo.InvariantCulture));
        // Shipped elements run inside the node's own process: this kills the node, not a child of it.
        Assert.NotEqual(skein.Id, victimPid);
        Posix.Kill(victimPid, Posix.SigKill);

        var code = await skein.WaitForExitAsync(TestPatience.Ceiling);

        Assert.True(code == 0, $"exit {code}\n{skein.Stdout}\n{skein.Stderr}");
        Assert.Contains($"node-lost: {victim}", skein.Stdout + skein.Stderr);
        Assert.Contains("3 of 3 tasks passed", skein.Stdout);
        var retried = (await File.ReadAllTextAsync(marker + ".done", Ct)).Split(' ');
        Assert.NotEqual(victimPid.ToString(System.Globalization.CultureInfo.InvariantCulture), retried[1]);
    }

    private static async Task<string> ReadWhenWrittenAsync(string path, SkeinProcess skein)
    {
        using var ceiling = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        ceiling.CancelAfter(TestPatience.Ceiling);
        // The element writes the file under another name and renames it: once it is there, it is whole.
        while (!File.Exists(path))
        {
            if (skein.HasExited) Assert.Fail($"skein ended before the element started\n{skein.Stdout}\n{skein.Stderr}");
            await Task.Delay(20, ceiling.Token);
        }
        return (await File.ReadAllTextAsync(path, Ct)).Trim();
    }
}
