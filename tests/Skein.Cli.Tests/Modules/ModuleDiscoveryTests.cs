using System.Text.RegularExpressions;

namespace Skein.Cli.Tests.Modules;

/// <summary>
/// module.yaml and discovery across real processes: a node whose SKEIN_MODULE_PATH holds the examples' module folder
/// and a scratch folder lists what it could load, loads the stats module by name, and refuses a broken manifest
/// with its position while it keeps serving.
/// </summary>
[Collection(ServiceClusterTests.ModuleCollection)]
public sealed class ModuleDiscoveryTests(DiscoveryCluster cluster) : IClassFixture<DiscoveryCluster>
{
    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task List_available_shows_the_modules_of_both_search_path_directories_and_the_broken_one_with_its_problem()
    {
        var listed = await cluster.RunAsync("module", "list", "--available", "--node", DiscoveryCluster.Node);

        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Matches(@"(?m)^NODE\s+MODULE\s+LOADER\s+PATH\s+SERVICES\s+PROBLEM\s*$", listed.Stdout);
        Assert.Matches($@"(?m)^{DiscoveryCluster.Node}\s+stats\s+process\s+{Regex.Escape(Path.Combine(cluster.Examples, "stats"))}\s+stats\s+-\s*$", listed.Stdout);
        Assert.Matches($@"(?m)^{DiscoveryCluster.Node}\s+loose\s+process\s+{Regex.Escape(Path.Combine(cluster.Extra, "loose.py"))}\s+-\s+-\s*$", listed.Stdout);
        Assert.Matches($@"(?m)^{DiscoveryCluster.Node}\s+broken\s+-\s+{Regex.Escape(Path.Combine(cluster.Extra, "broken"))}\s+-\s+module\.yaml:3:10: error: restart: 'sometimes' is not permanent, transient or temporary", listed.Stdout);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_module_loaded_by_name_is_found_on_the_node_and_serves_calls()
    {
        Assert.SkipWhen(DiscoveryCluster.Python is null, "python3 is not on the PATH");

        var load = await cluster.RunAsync("module", "load", "stats");
        try
        {
            Assert.True(load.ExitCode == 0, load.ToString());
            Assert.Contains($"module stats (process) is active on node {DiscoveryCluster.Node}, hosting stats", load.Stdout, StringComparison.Ordinal);

            var mean = await cluster.RunAsync("call", "stats", "Mean", "[[1,2,3,4]]");
            Assert.True(mean.ExitCode == 0, mean.ToString());
            Assert.Equal("2.5", mean.Stdout.Trim());

            var listed = await cluster.RunAsync("module", "list");
            Assert.Matches($@"(?m)^{DiscoveryCluster.Node}\s+stats\s+process\s+active\s", listed.Stdout);
        }
        finally
        {
            await cluster.RunAsync("module", "unload", "stats");
        }
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_folder_with_a_broken_module_yaml_is_refused_with_its_position_and_the_node_keeps_serving()
    {
        var byPath = await cluster.RunAsync("module", "load", Path.Combine(cluster.Extra, "broken"));

        Assert.Equal(2, byPath.ExitCode);
        Assert.Contains($"{Path.Combine(cluster.Extra, "broken", "module.yaml")}:3:10: error: restart: 'sometimes' is not permanent, transient or temporary", byPath.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", byPath.Stderr, StringComparison.Ordinal);

        var byName = await cluster.RunAsync("module", "load", "broken");
        Assert.Equal(2, byName.ExitCode);
        Assert.Contains("module.yaml:3:10: error: restart: 'sometimes'", byName.Stderr, StringComparison.Ordinal);

        var unknown = await cluster.RunAsync("module", "load", "nothing-here");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no module named 'nothing-here' is available: searched ", unknown.Stderr, StringComparison.Ordinal);

        var echo = await cluster.RunAsync("call", "echo", "Echo", """["still here"]""");
        Assert.True(echo.ExitCode == 0, echo.ToString());
        Assert.Equal("\"still here\"", echo.Stdout.Trim());
        var listed = await cluster.RunAsync("module", "list", "--node", DiscoveryCluster.Node);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.DoesNotContain("broken", listed.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_module_yaml_nested_thirty_thousand_deep_is_listed_and_refused_with_its_position_and_the_node_survives()
    {
        var listed = await cluster.RunAsync("module", "list", "--available", "--node", DiscoveryCluster.Node);

        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Matches($@"(?m)^{DiscoveryCluster.Node}\s+deep\s+-\s+{Regex.Escape(Path.Combine(cluster.Extra, "deep"))}\s+-\s+module\.yaml:3:\d+: error: mappings and lists are nested deeper than 64 levels", listed.Stdout);

        var load = await cluster.RunAsync("module", "load", "deep");
        Assert.True(load.ExitCode == 2, load.ToString());
        Assert.Matches(@"module\.yaml:3:\d+: error: mappings and lists are nested deeper than 64 levels", load.Stderr);
        Assert.DoesNotContain("   at ", load.Stderr, StringComparison.Ordinal);

        Assert.True(cluster.NodeIsAlive, "the node died");
        var echo = await cluster.RunAsync("call", "echo", "Echo", """["still here"]""");
        Assert.True(echo.ExitCode == 0, echo.ToString());
        Assert.Equal("\"still here\"", echo.Stdout.Trim());
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_module_that_fails_to_start_exits_1_naming_it_and_the_node_keeps_serving()
    {
        Assert.SkipWhen(DiscoveryCluster.Python is null, "python3 is not on the PATH");

        // loose.py prints a line and exits: it never says hello. The input was fine, the module failed: exit 1, not 2.
        var load = await cluster.RunAsync("module", "load", "loose");

        Assert.True(load.ExitCode == 1, load.ToString());
        Assert.Contains("loose", load.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", load.Stderr, StringComparison.Ordinal);
        var echo = await cluster.RunAsync("call", "echo", "Echo", """["still here"]""");
        Assert.True(echo.ExitCode == 0, echo.ToString());
        var listed = await cluster.RunAsync("module", "list", "--node", DiscoveryCluster.Node);
        Assert.DoesNotContain("loose", listed.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_node_given_a_folder_with_a_broken_module_yaml_on_its_command_line_exits_2_with_the_position()
    {
        var token = cluster.Directory.WritePrivate("node-token", "0123456789abcdef0123456789abcdef");

        var node = await cluster.RunAsync("node", "--join", $"127.0.0.1:{ExampleCluster.ClosedPort()}", "--token-file", token, "--module", Path.Combine(cluster.Extra, "broken"));

        Assert.True(node.ExitCode == 2, node.ToString());
        Assert.Contains($"{Path.Combine(cluster.Extra, "broken", "module.yaml")}:3:10: error: restart: 'sometimes'", node.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", node.Stderr, StringComparison.Ordinal);
    }
}

/// <summary>
/// A coordinator and one node, gamma, hosting the example services, with SKEIN_MODULE_PATH naming two directories:
/// the examples' modules (stats and its module.yaml) and a scratch one (a loose module file and a broken manifest).
/// </summary>
public sealed class DiscoveryCluster : IAsyncLifetime
{
    public const string Node = "gamma";

    private SkeinProcess? _coordinator;
    private SkeinProcess? _node;

    internal TempDirectory Directory { get; } = new();

    public static string? Python => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(folder => Path.Combine(folder, "python3")).FirstOrDefault(File.Exists);

    public string Examples { get; } = Path.Combine(RunCommandTests.RepositoryRoot(), "examples", "modules");

    public string Extra => Directory.File("extra");

    public async ValueTask InitializeAsync()
    {
        Directory.Write("extra/loose.py", "print('never run: only listed')\n");
        Directory.Write("extra/broken/broken.py", "print('never run: its manifest is broken')\n");
        Directory.Write("extra/broken/module.yaml", "name: broken\nentry: broken.py\nrestart: sometimes\n");
        // 150 KB of flow mappings 30,000 deep: building the tree of it used to overflow the node's stack.
        Directory.Write("extra/deep/deep.py", "print('never run: its manifest is too deep')\n");
        Directory.Write("extra/deep/module.yaml",
            "name: deep\nentry: deep.py\nconfig: " + string.Concat(Enumerable.Repeat("{a: ", 30_000)) + "x" + new string('}', 30_000) + "\n");
        try
        {
            (_coordinator, _) = await ExampleCluster.StartCoordinatorAsync(Directory.Path);
            var environment = new Dictionary<string, string> { ["SKEIN_MODULE_PATH"] = $"{Examples}{Path.PathSeparator}{Extra}" };
            _node = SkeinProcess.Start(Directory.Path, environment, null, "node", "--name", Node, "--module", ServiceClusterTests.Module);
            await _node.WaitForOutputAsync($"node {Node} joined", ServiceClusterTests.Timeout);
        }
        catch (Exception ex)
        {
            var output = _node is null ? "" : $"\n{_node.Stdout}\n{_node.Stderr}";
            await DisposeAsync();
            throw new InvalidOperationException($"the discovery cluster did not start: {ex.Message}{output}", ex);
        }
    }

    internal Task<SkeinResult> RunAsync(params string[] args) => SkeinProcess.RunAsync(Directory.Path, args);

    internal bool NodeIsAlive => _node is { } node && Posix.IsAlive(node.Id);

    public async ValueTask DisposeAsync()
    {
        if (_node is not null) await _node.DisposeAsync();
        if (_coordinator is not null) await _coordinator.DisposeAsync();
        Directory.Dispose();
    }
}
