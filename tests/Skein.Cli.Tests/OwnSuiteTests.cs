namespace Skein.Cli.Tests;

/// <summary>
/// Skein's own framework suite (tests/suites) runs in CI through <c>skein test</c>; this catches a broken suite —
/// a bad header, a typo in the configuration, a lost experiment — in <c>dotnet test</c> too, without a cluster.
/// </summary>
public class OwnSuiteTests
{
    private static readonly string[] Experiments =
    [
        "per-connection", "singleton", "singleton-recreate", "remote-exception", "meet-1", "meet-2", "meet-3",
        "discoverable", "capacity-a", "capacity-b", "capacity-c",
    ];

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task The_framework_suite_is_a_valid_configuration_of_every_experiment()
    {
        var dryRun = await SkeinProcess.RunAsync(RunCommandTests.RepositoryRoot(), "test", "tests/suites/framework.yaml", "--dry-run");

        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Contains($"job 'framework': {Experiments.Length} tasks", dryRun.Stdout);
        foreach (var name in Experiments) Assert.Contains("framework::" + name, dryRun.Stdout);
        Assert.Contains("cluster: an embedded one of 3 nodes", dryRun.Stdout);
        Assert.Contains("framework.py", dryRun.Stdout);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task The_framework_suites_experiments_are_executable_and_described()
    {
        var list = await SkeinProcess.RunAsync(RunCommandTests.RepositoryRoot(), "test", "tests/suites/framework.yaml", "--list");

        Assert.True(list.ExitCode == 0, list.ToString());
        foreach (var name in Experiments) Assert.Contains($"framework::{name} — ", list.Stdout);
    }
}
