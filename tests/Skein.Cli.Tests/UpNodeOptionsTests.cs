namespace Skein.Cli.Tests;

/// <summary><c>skein up</c> takes the node options that apply to every node alike and starts its nodes with them.</summary>
[Collection(ServiceClusterTests.Collection)]
public sealed class UpNodeOptionsTests
{
    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Skein_up_passes_allow_any_module_path_on_to_its_nodes()
    {
        using var directory = new TempDirectory();
        await using var up = SkeinProcess.Start(directory.Path, "up", "--nodes", "1", "--allow-any-module-path", "--allow-reload");
        await up.WaitForOutputAsync("cluster up at", ServiceClusterTests.Timeout);

        // The module is outside the directory skein up was started in: a node loads it only when any path is allowed.
        var load = await SkeinProcess.RunAsync(directory.Path, "module", "load", "--name", "examples", ServiceClusterTests.Module);
        Assert.True(load.ExitCode == 0, load.ToString());
        Assert.Contains("module examples", load.Stdout, StringComparison.Ordinal);

        up.Signal(Posix.SigInt);
        Assert.Equal(0, await up.WaitForExitAsync(TestPatience.Ceiling));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Skein_up_labels_every_node_and_one_node_of_its_own()
    {
        using var directory = new TempDirectory();
        await using var up = SkeinProcess.Start(directory.Path, "up", "--nodes", "2", "--labels", "zone=a,disk=ssd", "--labels", "node-2:gpu=true,zone=b");
        await up.WaitForOutputAsync("cluster up at", ServiceClusterTests.Timeout);

        var nodes = await SkeinProcess.RunAsync(directory.Path, "nodes", "--json");
        Assert.True(nodes.ExitCode == 0, nodes.ToString());
        using var listing = System.Text.Json.JsonDocument.Parse(nodes.Stdout);
        var labels = listing.RootElement.GetProperty("nodes").EnumerateArray().ToDictionary(
            n => n.GetProperty("name").GetString()!,
            n => string.Join(",", n.GetProperty("labels").EnumerateObject().Select(l => $"{l.Name}={l.Value.GetString()}").Order(StringComparer.Ordinal)));
        Assert.Equal("disk=ssd,zone=a", labels["node-1"]);
        Assert.Equal("disk=ssd,gpu=true,zone=b", labels["node-2"]);

        up.Signal(Posix.SigInt);
        Assert.Equal(0, await up.WaitForExitAsync(TestPatience.Ceiling));
    }

    [Theory]
    [InlineData("node-3:gpu=true", "skein: --labels 'node-3:gpu=true': there is no node-3 with --nodes 2 (nodes are node-1 to node-2)")]
    [InlineData("gpu:true", "skein: --labels 'gpu:true': 'gpu' is not a node of skein up; name one as node-N or N, e.g. node-2:gpu=true")]
    [InlineData("2:gpu", "skein: invalid label 'gpu' in --labels 'gpu': expected KEY=VALUE pairs separated by commas, e.g. gpu=a100,zone=b")]
    public async Task A_label_for_a_node_skein_up_does_not_start_is_bad_input_and_nothing_starts(string given, string error)
    {
        using var directory = new TempDirectory();
        var result = await SkeinProcess.RunAsync(directory.Path, "up", "--nodes", "2", "--labels", given);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(error, result.Stderr.Trim());
        Assert.DoesNotContain("cluster up", result.Stdout);
    }

    [Fact]
    public async Task A_module_directory_that_is_not_there_is_bad_input_and_nothing_starts()
    {
        using var directory = new TempDirectory();
        var result = await SkeinProcess.RunAsync(directory.Path, "up", "--nodes", "1", "--module-dir", "nowhere");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("skein: --module-dir nowhere: no such directory", result.Stderr.Trim());
        Assert.DoesNotContain("cluster up", result.Stdout);
    }
}
