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
