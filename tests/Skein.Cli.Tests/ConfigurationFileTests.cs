namespace Skein.Cli.Tests;

/// <summary>
/// skein.yaml read by real skein processes: it gives nodes their labels, modules and limits, SKEIN_…__… variables and
/// flags win over it in that order, and a wrong key stops the command before anything starts.
/// </summary>
[Collection(ServiceClusterTests.ModuleCollection)]
public sealed class ConfigurationFileTests
{
    // Generous: on a loaded machine a process takes long to start; these are ceilings, not expectations.
    private static readonly TimeSpan Timeout = TestPatience.Ceiling;

    private static string Yaml(string text) => text.ReplaceLineEndings("\n");

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_nodes_skein_yaml_gives_its_labels_module_and_limits_with_variables_and_flags_on_top()
    {
        using var dir = new TempDirectory();
        dir.Write("skein.yaml", Yaml($"""
            # the node's settings; flags and SKEIN_NODE__… variables win over them
            node:
              name: configured
              labels:
                gpu: a100
                zone: file
                rack: file
              cores: 3
              modules:
                - path: {ServiceClusterTests.Module}
              max-message-size: 1KiB
            """));
        await using var coordinator = SkeinProcess.Start(dir.Path, "coordinator", "--listen", "127.0.0.1:0");
        await coordinator.WaitForOutputAsync("coordinator listening on", Timeout);

        var variables = new Dictionary<string, string> { ["SKEIN_NODE__LABELS__zone"] = "variable", ["SKEIN_NODE__LABELS__rack"] = "variable" };
        await using var node = SkeinProcess.Start(dir.Path, variables, null, "node", "--labels", "rack=flag");
        await node.WaitForOutputAsync("node configured joined", Timeout);
        Assert.Contains("node configured hosts ", node.Stdout);

        var nodes = await SkeinProcess.RunAsync(dir.Path, "nodes");
        Assert.True(nodes.ExitCode == 0, nodes.ToString());
        var line = Assert.Single(nodes.Stdout.Split('\n'), l => l.StartsWith("configured ", StringComparison.Ordinal));
        Assert.Matches(@"^configured\s+\S+\s+alive\s+3\s", line);
        Assert.Contains("gpu=a100", line);
        Assert.Contains("zone=variable", line);
        Assert.Contains("rack=flag", line);

        var services = await SkeinProcess.RunAsync(dir.Path, "services");
        Assert.True(services.ExitCode == 0, services.ToString());
        Assert.Matches(@"(?m)^echo\s+per-connection\s+\S+\s+configured\s", services.Stdout);

        // The file's limit holds on the node: a call within it goes through, one over it is refused naming it.
        var small = await SkeinProcess.RunAsync(dir.Path, "call", "echo", "Echo", """["hi"]""");
        Assert.True(small.ExitCode == 0, small.ToString());
        var large = await SkeinProcess.RunAsync(dir.Path, "call", "echo", "Echo", $"""["{new string('x', 4096)}"]""");
        Assert.True(large.ExitCode != 0, large.ToString());
        Assert.Contains("limit of 1 KiB", large.Stderr);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Skein_up_gives_every_node_the_files_labels_and_modules()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("cluster.yaml", Yaml($"""
            node:
              labels: {"{"} pool: shared {"}"}
              modules: [{ServiceClusterTests.Module}]
            """));
        await using var up = SkeinProcess.Start(dir.Path, "up", "--nodes", "1", "--config", config);
        await up.WaitForOutputAsync("cluster up at", Timeout);

        var nodes = await SkeinProcess.RunAsync(dir.Path, "nodes");
        Assert.True(nodes.ExitCode == 0, nodes.ToString());
        Assert.Matches(@"(?m)^node-1\s+\S+\s+alive\s.*pool=shared", nodes.Stdout);
        var services = await SkeinProcess.RunAsync(dir.Path, "services");
        Assert.True(services.ExitCode == 0, services.ToString());
        Assert.Matches(@"(?m)^echo\s+per-connection\s+\S+\s+node-1\s", services.Stdout);

        up.Signal(Posix.SigInt);
        Assert.Equal(0, await up.WaitForExitAsync(Timeout));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_misspelt_key_is_exit_2_naming_file_line_and_key_and_nothing_starts()
    {
        using var dir = new TempDirectory();
        var bad = Yaml("""
            node:
              name: n
              lables:
                gpu: a100
            coordinator:
              lost-after: 3
            """);
        dir.Write("skein.yaml", bad);
        dir.Write("other.yaml", bad);

        foreach (var (args, file) in new[]
        {
            (new[] { "up", "--nodes", "1" }, "skein.yaml"),
            (["node", "--join", "127.0.0.1:1"], "skein.yaml"),
            (["coordinator", "--listen", "127.0.0.1:0"], "skein.yaml"),
            (["up", "--nodes", "1", "--config", "other.yaml"], "other.yaml"),
        })
        {
            var result = await SkeinProcess.RunAsync(dir.Path, args);
            Assert.True(result.ExitCode == 2, $"{string.Join(' ', args)}: {result}");
            Assert.Contains($"{file}:3:3: error: unknown key 'node.lables' (did you mean 'labels'?)", result.Stderr);
            Assert.Contains($"{file}:6:15: error: 'coordinator.lost-after' must be a duration such as 500ms, 30s, 5m or 1h, not '3' (did you mean '3s'?)", result.Stderr);
            Assert.Contains("2 errors; nothing started.", result.Stderr);
            Assert.DoesNotContain("   at ", result.Stderr);
            Assert.DoesNotContain("listening", result.Stdout);
            Assert.DoesNotContain("joined", result.Stdout + result.Stderr);
            // Nothing started: no coordinator wrote its connection file, no skein up its pid file.
            Assert.False(File.Exists(Path.Combine(dir.Path, ".skein", "cluster.json")));
            Assert.False(File.Exists(Path.Combine(dir.Path, ".skein", "up.pid")));
        }
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_named_file_that_is_not_there_and_a_wrong_variable_are_exit_2()
    {
        using var dir = new TempDirectory();
        var missing = await SkeinProcess.RunAsync(dir.Path, "coordinator", "--config", "nope.yaml");
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("configuration file not found: nope.yaml", missing.Stderr);

        await using var node = SkeinProcess.Start(dir.Path, new Dictionary<string, string> { ["SKEIN_NODE__CORES"] = "lots" }, null, "node", "--join", "127.0.0.1:1");
        Assert.Equal(2, await node.WaitForExitAsync(Timeout));
        Assert.Contains("environment variable SKEIN_NODE__CORES: 'node.cores' must be a whole number", node.Stderr);
        Assert.Contains("1 error; nothing started.", node.Stderr);
    }
}
