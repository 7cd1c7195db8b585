using Skein.Modules;
using Skein.Modules.Process;
using Skein.Cluster.NodeControl;
using Skein.Cluster.Services.Client;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using Skein.Cluster.Services;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;

namespace Skein.Cluster.Tests.Modules;

/// <summary>
/// A module process that starts a child holding its stdio pipes, on a real node: unloading it and restarting it after
/// a crash both complete, and take the child with them.
/// </summary>
public sealed class ModuleChildProcessTests
{
    private const string Token = "test-token-children";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Started before the helper takes the stdio: the child inherits the module's stdin, stdout and stderr, and says
    // who it is in a file named after the module's process.
    private const string Forks = """
        import os, subprocess
        _child = subprocess.Popen(["sleep", "1000"])
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "child-%d" % os.getpid()), "w") as _f:
            _f.write(str(_child.pid))

        """;

    [Fact]
    public async Task Unloading_a_module_whose_child_holds_its_stdout_completes_and_the_child_is_gone()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        using var dir = new TempDirectory();
        var script = ScriptModules.WriteProbe(Path.Combine(dir.Path, "forker.py"), "forker", Forks);
        await using var node = await NodeHost.StartAsync(new ServiceHost("node-c"), Token, cancellationToken: Ct, modulePaths: new ModulePaths([dir.Path], allowAnyPath: false));
        using var control = new ModuleControl("node-c", $"127.0.0.1:{node.Address.Port}", Token);
        await control.LoadAsync(script, null, null, TestPatience.Ceiling, Ct);
        var module = (ProcessLoadedModule)node.Services.Modules.Single();
        var child = ChildOf(dir.Path, module.Process!.ProcessId);
        Assert.True(ScriptModules.IsRunning(child, "sleep"));

        // The node's own deadline for an unload is a minute; before, the unload waited for the child's end of stdout.
        await control.UnloadAsync("forker", TestPatience.Ceiling, Ct);

        Assert.Empty(await control.ListAsync(Ct));
        await ScriptModules.WaitUntilAsync(() => !ScriptModules.IsRunning(child, "sleep"), "the module's child ending");
    }

    [Fact]
    public async Task A_crashed_module_whose_child_holds_its_stdout_is_restarted_and_the_old_child_is_gone()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        using var dir = new TempDirectory();
        var script = ScriptModules.WriteProbe(Path.Combine(dir.Path, "forker.py"), "forker", Forks);
        var host = new ServiceHost("node-c");
        await using var node = await NodeHost.StartAsync(host, Token, cancellationToken: Ct, modulePaths: new ModulePaths([dir.Path], allowAnyPath: false));
        using var control = new ModuleControl("node-c", $"127.0.0.1:{node.Address.Port}", Token);
        await control.LoadAsync(script, null, null, TestPatience.Ceiling, Ct);
        var routes = new StaticRoutes(host.Describe().Select(s => new ServiceLocation("n-1", "node-c", $"127.0.0.1:{node.Address.Port}", s)));
        await using var client = new SkeinClient(routes, Token, new SkeinClientOptions(), null);
        var first = int.Parse(await TestModules.CallJsonAsync(client, "forker", "pid", "[]", Ct), System.Globalization.CultureInfo.InvariantCulture);
        var child = ChildOf(dir.Path, first);
        Assert.True(ScriptModules.IsRunning(child, "sleep"));

        await Assert.ThrowsAsync<RemoteException>(() => TestModules.CallJsonAsync(client, "forker", "crash", "[]", Ct));

        // A call waits for the restart and is answered by the new process.
        var second = int.Parse(await TestModules.CallJsonAsync(client, "forker", "pid", "[]", Ct), System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(first, second);
        await ScriptModules.WaitUntilAsync(() => !ScriptModules.IsRunning(child, "sleep"), "the crashed module's child ending");
        Assert.True(ScriptModules.IsRunning(ChildOf(dir.Path, second), "sleep")); // the new run's child is its own
    }

    private static int ChildOf(string folder, int modulePid) =>
        int.Parse(File.ReadAllText(Path.Combine(folder, $"child-{modulePid}")), System.Globalization.CultureInfo.InvariantCulture);
}
