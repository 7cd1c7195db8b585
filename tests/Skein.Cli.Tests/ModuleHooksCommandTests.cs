using static Skein.Cli.Tests.ClusterTests;

namespace Skein.Cli.Tests;

/// <summary>Assembly modules with hooks in real <c>skein node</c> processes: their state events, and on-failure: fail-node.</summary>
public sealed class ModuleHooksCommandTests
{
    private static readonly TimeSpan Timeout = TestPatience.Ceiling;

    /// <summary>The test module with hooks (tests/Modules/Hooked), copied beside the tests by the build.</summary>
    private static string HookedModule => Path.Combine(AppContext.BaseDirectory, "modules", "hooked", "Hooked.dll");

    [Fact]
    public async Task A_module_declared_fail_node_that_fails_for_good_stops_its_node_naming_the_module()
    {
        using var dir = new TempDirectory();
        var (coordinator, _) = await StartCoordinatorAsync(dir.Path);
        await using var _c = coordinator;
        await using var node = await StartNodeAsync(dir.Path, "strict",
            "--module", HookedModule, "--module-restart", "temporary", "--module-on-failure", "fail-node");

        // The module reports a fatal failure through its context; temporary: no restart, so the supervisor gives up.
        await SkeinProcess.RunAsync(dir.Path, "call", "hooked", "Crash", """["disk on fire"]""");

        var exit = await node.WaitForExitAsync(Timeout);
        Assert.True(exit != 0, $"exit {exit}\n{node.Stdout}\n{node.Stderr}");
        Assert.Contains("skein: node strict stopped because module Hooked failed and is declared on-failure: fail-node", node.Stderr);
        Assert.Contains("disk on fire", node.Stderr);
        Assert.DoesNotContain("node strict left", node.Stdout);
    }

    [Fact]
    public async Task Skein_module_list_shows_an_assembly_modules_restarts_and_last_exit()
    {
        using var dir = new TempDirectory();
        var (coordinator, _) = await StartCoordinatorAsync(dir.Path);
        await using var _c = coordinator;
        await using var follow = SkeinProcess.Start(dir.Path, "events", "module.>", "--follow");
        await follow.WaitForOutputAsync("following events matching 'module.>'", Timeout);
        await using var node = await StartNodeAsync(dir.Path, "lister", "--module", HookedModule);
        await follow.WaitForOutputAsync("""{"module":"Hooked","from":"ready","to":"active",""", Timeout);

        await SkeinProcess.RunAsync(dir.Path, "call", "hooked", "Crash", """["boom"]""");
        // Permanent by default: failed, then a restart, then active again.
        await follow.WaitForOutputAsync("""{"module":"Hooked","from":"failed","to":"initializing","reason":"restart 1;""", Timeout);
        // A call during the restart waits for the module to be active again.
        var who = await SkeinProcess.RunAsync(dir.Path, "call", "hooked", "Who", "[]");
        Assert.True(who.ExitCode == 0, who.ToString());
        Assert.Equal("\"Hooked on lister\"", who.Stdout.Trim());

        var list = await SkeinProcess.RunAsync(dir.Path, "module", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Matches(@"(?m)^lister\s+Hooked\s+assembly\s+active\s+1\s+\S*hooked\S*\s+.*threw InvalidOperationException: boom\s*$", list.Stdout);
        await StopAsync(follow);
        await StopAsync(node);
    }

    [Fact]
    public async Task A_bad_module_restart_policy_is_refused_naming_the_value()
    {
        using var dir = new TempDirectory();
        var (coordinator, _) = await StartCoordinatorAsync(dir.Path);
        await using var _c = coordinator;
        var refused = await SkeinProcess.RunAsync(dir.Path, "node", "--name", "x", "--module-restart", "sometimes");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("'sometimes' is not permanent, transient or temporary", refused.Stderr);
    }

    [Fact]
    public async Task Skein_events_shows_a_modules_every_state_from_created_to_active()
    {
        using var dir = new TempDirectory();
        var (coordinator, _) = await StartCoordinatorAsync(dir.Path);
        await using var _c = coordinator;
        await using var follow = SkeinProcess.Start(dir.Path, "events", "module.>", "--follow");
        await follow.WaitForOutputAsync("following events matching 'module.>'", Timeout);

        await using var node = await StartNodeAsync(dir.Path, "hooks", "--module", HookedModule);

        await follow.WaitForOutputAsync("""module.Hooked.state {"module":"Hooked","from":"ready","to":"active",""", Timeout);
        var lines = follow.Stdout.Split('\n').Where(l => l.Contains(" module.Hooked.state ", StringComparison.Ordinal)).ToList();
        Assert.Collection(lines,
            l => Assert.Contains("""{"module":"Hooked","from":"created","to":"initializing",""", l),
            l => Assert.Contains("""{"module":"Hooked","from":"initializing","to":"ready",""", l),
            l => Assert.Contains("""{"module":"Hooked","from":"ready","to":"active",""", l));
        await StopAsync(follow);
        await StopAsync(node);
    }
}
