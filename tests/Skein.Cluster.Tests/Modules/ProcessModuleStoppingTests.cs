using Skein.Modules;
using Skein.Modules.Process;
using Skein.Cluster.Services.Client;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using Skein.Cluster.Services;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;

namespace Skein.Cluster.Tests.Modules;

/// <summary>A module process that takes its time to stop: calls arriving meanwhile are told it is stopping.</summary>
public sealed class ProcessModuleStoppingTests
{
    private const string Token = "test-token-stopping";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Serves until the node's shutdown, then lingers: it ends only when the node kills it (or the test does).
    private const string Lingering = """
        import sys, threading
        sys.path.insert(0, SDK)
        from skein_module import Module, method, service

        @service("lingering")
        class Lingering:
            @method
            def ping(self) -> str:
                return "pong"

        if __name__ == "__main__":
            Module(Lingering).run()
            threading.Event().wait()
        """;

    [Fact]
    public async Task A_call_to_a_module_process_that_is_stopping_fails_at_once_saying_so()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        using var dir = new TempDirectory();
        var script = Path.Combine(dir.Path, "lingering.py");
        var sdk = System.Text.Json.JsonSerializer.Serialize(Path.Combine(ModuleProcess.RepositoryRoot(), "sdk", "python")); // a JSON string is a Python one
        await File.WriteAllTextAsync(script, Lingering.Replace("SDK", sdk, StringComparison.Ordinal), Ct);
        // A long grace: the module stays in stopping until the test ends it, however slow the machine.
        var loader = new ProcessModuleLoader(new ProcessModuleOptions { ShutdownGrace = TimeSpan.FromMinutes(1) });
        var host = new ServiceHost("node-p", new Skein.Cluster.Services.Hosting.ServiceHostOptions { Loaders = new ModuleLoaders(loader) });
        var events = new StateEvents(host);
        var module = (ProcessLoadedModule)await host.AddModuleAsync(new ModuleLoadRequest(script), Ct);
        var processId = module.Process!.ProcessId;
        await using var node = await NodeHost.StartAsync(host, Token, cancellationToken: Ct);
        // Module processes are reached through a node's call endpoint, as any remote caller reaches them.
        var routes = new StaticRoutes(host.Describe().Select(s => new ServiceLocation("n-1", "node-p", $"127.0.0.1:{node.Address.Port}", s)));
        await using var client = new SkeinClient(routes, Token, new SkeinClientOptions(), null);
        Assert.Equal("\"pong\"", await TestModules.CallJsonAsync(client, "lingering", "ping", "[]", Ct));

        var removing = host.RemoveModuleAsync("lingering").AsTask();
        await events.WaitForAsync("lingering", "stopping");
        var refused = await Assert.ThrowsAsync<RemoteException>(() => TestModules.CallJsonAsync(client, "lingering", "ping", "[]", Ct));
        Assert.Equal(RemoteErrorKind.Unavailable, refused.Kind);
        Assert.Contains("module 'lingering' is stopping", refused.Message);

        using (var process = System.Diagnostics.Process.GetProcessById(processId)) process.Kill();
        Assert.True(await removing.WaitAsync(TestPatience.Ceiling, Ct));
        Assert.Null(module.Process);
        await events.WaitForAsync("lingering", "stopped");
        Assert.Empty(host.ServiceNames);
    }
}
