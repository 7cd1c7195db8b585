namespace Skein.Cli.Tests;

/// <summary>
/// The example services run isolated, in a module host beside a real node: started with <c>skein node
/// --isolated-module</c>, and loaded at run time with <c>skein module load --isolated</c>, then called with
/// <c>skein call</c> (JSON) and listed by <c>skein module list</c>.
/// </summary>
[Collection(ServiceClusterTests.Collection)]
public sealed class IsolatedModuleCliTests
{
    [Fact(Timeout = 120_000)]
    public async Task A_node_hosts_the_example_services_isolated_and_skein_call_reaches_them()
    {
        using var directory = new TempDirectory();
        var (coordinator, _) = await ExampleCluster.StartCoordinatorAsync(directory.Path);
        await using var _coordinator = coordinator;
        await using var node = SkeinProcess.Start(directory.Path,
            "node", "--name", "iso", "--isolated-module", ServiceClusterTests.Module, "--allow-any-module-path");
        await node.WaitForOutputAsync("node iso joined", ServiceClusterTests.Timeout);
        Assert.Contains("from Skein.Examples.Services.dll (isolated)", node.Stdout, StringComparison.Ordinal);

        var echo = await SkeinProcess.RunAsync(directory.Path, "call", "echo", "Echo", """["hi"]""");
        Assert.True(echo.ExitCode == 0, echo.ToString());
        Assert.Equal("\"hi\"", echo.Stdout.Trim());
        var list = await SkeinProcess.RunAsync(directory.Path, "module", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Matches(@"(?m)^iso\s+Skein\.Examples\.Services\s+isolated\s+active\s", list.Stdout);

        var unload = await SkeinProcess.RunAsync(directory.Path, "module", "unload", "Skein.Examples.Services");
        Assert.True(unload.ExitCode == 0, unload.ToString());
        var load = await SkeinProcess.RunAsync(directory.Path, "module", "load", "--isolated", "--name", "examples", ServiceClusterTests.Module);
        Assert.True(load.ExitCode == 0, load.ToString());
        Assert.Contains("module examples (isolated) is active on node iso", load.Stdout, StringComparison.Ordinal);
        var again = await SkeinProcess.RunAsync(directory.Path, "call", "echo", "Echo", """["again"]""");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal("\"again\"", again.Stdout.Trim());
    }
}
