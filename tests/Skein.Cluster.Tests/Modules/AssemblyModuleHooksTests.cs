using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text.Json;
using Skein.Modules;
using Skein.Modules.Lifecycle;
using Skein.Cluster.NodeControl;
using Skein.Cluster.Services.Hosting;
using Skein.Cluster.Client;
using Skein.Modules.BuiltIn;

namespace Skein.Cluster.Tests.Modules;

/// <summary>
/// Assembly modules under supervision: their hooks (tests/Modules/Hooked) run in order, a failing start fails the
/// load and leaves nothing behind, a failure the module reports is a crash its restart policy answers, unloading lets
/// running calls finish while new ones are told the module is stopping, and every state change is published.
/// </summary>
public sealed class AssemblyModuleHooksTests
{
    private static readonly TimeSpan Wait = TestPatience.Ceiling;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ModuleLoadRequest Hooked(string name, string config = "{}", ModuleSupervisorOptions? supervision = null) =>
        new(TestModules.Hooked, name) { Config = JsonDocument.Parse(config).RootElement.Clone(), Supervision = supervision };

    private static ModuleSupervisorOptions Restart(RestartMode mode, int maxRestarts = 5) =>
        new() { Restart = RestartPolicy.Default with { Mode = mode, MaxRestarts = maxRestarts, Backoff = TimeSpan.Zero }, StopGrace = TimeSpan.FromMinutes(1) };

    [Fact]
    public async Task The_hooks_run_initialize_then_activate_on_load_and_stop_on_unload()
    {
        await using var host = new ServiceHost("node-a");
        var module = Assert.IsType<AssemblyModule>(await host.AddModuleAsync(Hooked("hooked"), Ct));
        var probe = new HookedProbe(module.Assembly!);

        Assert.Equal(ModuleState.Active, module.Supervisor.State);
        Assert.Equal(["initialize 1 hooked on node-a", "activate 1"], probe.Log);
        await using (var client = SkeinClient.ForLocalServices(host))
            Assert.Equal("\"hooked on node-a\"", await TestModules.CallJsonAsync(client, "hooked", "Who", "[]", Ct));

        Assert.True(await host.RemoveModuleAsync("hooked"));
        Assert.Equal(["initialize 1 hooked on node-a", "activate 1", "stop 1"], probe.Log);
        Assert.Equal(ModuleState.Stopped, module.Supervisor.State);
        Assert.Empty(host.ServiceNames);
    }

    [Fact]
    public async Task Every_state_change_is_published_from_the_first()
    {
        await using var host = new ServiceHost("node-a");
        var events = new StateEvents(host);
        await host.AddModuleAsync(Hooked("hooked"), Ct);
        await events.WaitForAsync("hooked", "active");
        await host.RemoveModuleAsync("hooked");
        await events.WaitForAsync("hooked", "stopped");

        Assert.Equal(["created→initializing", "initializing→ready", "ready→active", "active→stopping", "stopping→stopped"], events.Transitions("hooked"));
        Assert.All(events.Seen, e => Assert.Equal("module.hooked.state", e.Subject));
    }

    [Fact]
    public async Task An_initialize_hook_that_throws_fails_the_load_naming_the_module_and_leaves_nothing_behind()
    {
        await using var host = new ServiceHost("node-a");
        var events = new StateEvents(host);
        var context = await FailToLoadAsync(host);

        var failed = await events.WaitForAsync("broken", "failed");
        Assert.Contains("no config", failed.Reason);
        Assert.Equal(["created→initializing", "initializing→failed"], events.Transitions("broken"));
        Assert.Empty(host.ServiceNames);
        Assert.Empty(host.Modules);
        Assert.Empty(host.Describe());
        for (var attempt = 0; context.IsAlive && attempt < 20; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(context.IsAlive, "the load context of a module that failed to start is still alive");
    }

    // Not inlined, so nothing of the module outlives this frame in the test's.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> FailToLoadAsync(ServiceHost host)
    {
        var error = await Assert.ThrowsAsync<ModuleStartFailedException>(() => host.AddModuleAsync(Hooked("broken", """{"failInitialize":"no config"}"""), Ct));
        Assert.Contains("'broken'", error.Message);
        Assert.Contains("InvalidOperationException: no config", error.Message);
        var context = AssemblyLoadContext.All.FirstOrDefault(c => c.Name == "module:broken");
        return new WeakReference(context);
    }

    [Fact]
    public async Task An_activate_hook_that_throws_fails_the_load_even_under_a_permanent_policy()
    {
        await using var host = new ServiceHost("node-a");
        var error = await Assert.ThrowsAsync<ModuleStartFailedException>(() => host.AddModuleAsync(Hooked("lazy", """{"failActivate":"not today"}""", Restart(RestartMode.Permanent)), Ct));
        Assert.Contains("module 'lazy'", error.Message);
        Assert.Contains("not today", error.Message);
        Assert.Empty(host.ServiceNames);
    }

    [Fact]
    public async Task A_failure_reported_through_the_context_restarts_the_module_with_fresh_objects()
    {
        await using var host = new ServiceHost("node-a");
        var events = new StateEvents(host);
        var module = (AssemblyModule)await host.AddModuleAsync(Hooked("hooked", supervision: Restart(RestartMode.Permanent)), Ct);
        var context = module.LoadContext;
        await using var client = SkeinClient.ForLocalServices(host);
        Assert.Equal("\"hooks 1, service 1\"", await TestModules.CallJsonAsync(client, "hooked", "Instance", "[]", Ct));
        await using var session = await client.GetServiceAsync<ICallerHookedSession>(Ct);
        Assert.Equal("hooks 1", await session.RunAsync(Ct));

        await TestModules.CallJsonAsync(client, "hooked", "Crash", """["boom"]""", Ct).ContinueWith(_ => { }, Ct);
        var crashed = await events.WaitForAsync("hooked", "failed");
        Assert.Contains("InvalidOperationException: boom", crashed.Reason);
        await events.WaitForAsync("hooked", "active");

        // A new hooks object and a new singleton, in the same load context.
        Assert.Equal("\"hooks 2, service 2\"", await TestModules.CallJsonAsync(client, "hooked", "Instance", "[]", Ct));
        // A per-connection object reserved before the restart belongs to the run that ended.
        var stale = await Assert.ThrowsAsync<RemoteException>(() => session.RunAsync(Ct));
        Assert.Equal(RemoteErrorKind.Unavailable, stale.Kind);
        Assert.Contains("made before its module restarted; get a new proxy", stale.Message);
        await using (var fresh = await client.GetServiceAsync<ICallerHookedSession>(Ct))
            Assert.Equal("hooks 2", await fresh.RunAsync(Ct));
        Assert.Same(context, module.LoadContext);
        Assert.Equal(1, module.Supervisor.Restarts);
        Assert.Equal(["hooked", "hooked-session"], host.ServiceNames);
    }

    [Fact]
    public async Task A_temporary_module_that_fails_is_not_restarted_and_its_services_are_withdrawn()
    {
        await using var host = new ServiceHost("node-a");
        var events = new StateEvents(host);
        var withdrawn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.ServicesChanged += () => { if (host.ServiceNames.Count == 0) withdrawn.TrySetResult(); };
        var module = (AssemblyModule)await host.AddModuleAsync(Hooked("hooked", supervision: Restart(RestartMode.Temporary)), Ct);
        await using var client = SkeinClient.ForLocalServices(host);

        await TestModules.CallJsonAsync(client, "hooked", "Crash", """["boom"]""", Ct).ContinueWith(_ => { }, Ct);

        var failed = await events.WaitForAsync("hooked", "failed");
        Assert.Contains("not restarted: restart policy is temporary", failed.Reason);
        await withdrawn.Task.WaitAsync(Wait, Ct);
        Assert.Equal(ModuleState.Failed, module.Supervisor.State);
        Assert.Equal(0, module.Supervisor.Restarts);
        // Still listed, failed, until unloaded: the operator sees what happened and unloading frees the name.
        Assert.Same(module, Assert.Single(host.Modules));
        Assert.True(await host.RemoveModuleAsync("hooked"));
        Assert.Empty(host.Modules);
        var error = await Assert.ThrowsAsync<RemoteException>(() => TestModules.CallJsonAsync(client, "hooked", "Who", "[]", Ct));
        Assert.Equal(RemoteErrorKind.ServiceNotFound, error.Kind);
    }

    [Fact]
    public async Task Past_the_restart_limit_the_module_is_failed_and_its_services_are_withdrawn()
    {
        await using var host = new ServiceHost("node-a");
        var events = new StateEvents(host);
        var withdrawn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.ServicesChanged += () => { if (host.ServiceNames.Count == 0) withdrawn.TrySetResult(); };
        var module = (AssemblyModule)await host.AddModuleAsync(Hooked("hooked", supervision: Restart(RestartMode.Permanent, maxRestarts: 1)), Ct);
        await using var client = SkeinClient.ForLocalServices(host);

        await TestModules.CallJsonAsync(client, "hooked", "Crash", """["first"]""", Ct).ContinueWith(_ => { }, Ct);
        await events.WaitForAsync("hooked", "failed");
        await events.WaitForAsync("hooked", "active");
        await TestModules.CallJsonAsync(client, "hooked", "Crash", """["second"]""", Ct).ContinueWith(_ => { }, Ct);
        var failed = await events.WaitForAsync("hooked", "failed");

        Assert.Contains("InvalidOperationException: second", failed.Reason);
        Assert.Contains("not restarted: 1 restarts within 1m, the most allowed", failed.Reason);
        await withdrawn.Task.WaitAsync(Wait, Ct);
        Assert.Equal(ModuleState.Failed, module.Supervisor.State);
        Assert.Empty(host.ServiceNames);
    }

    [Fact]
    public async Task A_call_running_when_the_module_crashes_fails_at_once_naming_the_module()
    {
        await using var host = new ServiceHost("node-a");
        var events = new StateEvents(host);
        var module = (AssemblyModule)await host.AddModuleAsync(Hooked("hooked", supervision: Restart(RestartMode.Permanent)), Ct);
        var probe = new HookedProbe(module.Assembly!);
        await using var client = SkeinClient.ForLocalServices(host);

        var running = TestModules.CallJsonAsync(client, "hooked", "Hold", "[]", Ct);
        await probe.Holding.WaitAsync(Wait, Ct);
        await TestModules.CallJsonAsync(client, "hooked", "Crash", """["boom"]""", Ct).ContinueWith(_ => { }, Ct);

        // The held call's gate is never opened: only the crash can end it, and its caller hears of the crash at once.
        var error = await Assert.ThrowsAsync<RemoteException>(() => running.WaitAsync(Wait, Ct));
        Assert.Equal(RemoteErrorKind.Unavailable, error.Kind);
        Assert.Contains("module hooked crashed while serving hooked.Hold", error.Message);
        Assert.Contains("boom", error.Message);
        await events.WaitForAsync("hooked", "failed");
        await events.WaitForAsync("hooked", "active");
        Assert.Equal("\"hooked on node-a\"", await TestModules.CallJsonAsync(client, "hooked", "Who", "[]", Ct));
    }

    [Fact]
    public async Task While_the_module_stops_a_running_call_finishes_and_a_new_one_is_told_it_is_stopping()
    {
        await using var host = new ServiceHost("node-a");
        var module = (AssemblyModule)await host.AddModuleAsync(Hooked("hooked", """{"slowStop":true}""", Restart(RestartMode.Permanent)), Ct);
        var probe = new HookedProbe(module.Assembly!);
        await using var client = SkeinClient.ForLocalServices(host);

        var running = TestModules.CallJsonAsync(client, "hooked", "Hold", "[]", Ct);
        await probe.Holding.WaitAsync(Wait, Ct);
        var removing = host.RemoveModuleAsync("hooked").AsTask();
        await probe.Stopping.WaitAsync(Wait, Ct);

        var refused = await Assert.ThrowsAsync<RemoteException>(() => TestModules.CallJsonAsync(client, "hooked", "Who", "[]", Ct));
        Assert.Equal(RemoteErrorKind.Unavailable, refused.Kind);
        Assert.Contains("module 'hooked' is stopping", refused.Message);
        Assert.Equal(ModuleState.Stopping, module.Supervisor.State);
        Assert.False(removing.IsCompleted);

        probe.ReleaseHold();
        Assert.Equal("\"held\"", await running.WaitAsync(Wait, Ct));
        probe.ReleaseStop();
        Assert.True(await removing.WaitAsync(Wait, Ct));
        Assert.Equal(ModuleState.Stopped, module.Supervisor.State);
        Assert.Empty(host.ServiceNames);
    }

    [Fact]
    public async Task A_stop_hook_that_throws_is_logged_and_the_unload_completes()
    {
        await using var host = new ServiceHost("node-a");
        var module = (AssemblyModule)await host.AddModuleAsync(Hooked("hooked", """{"failStop":"cannot stop"}"""), Ct);
        Assert.True(await host.RemoveModuleAsync("hooked"));
        Assert.Null(module.LoadContext);
        Assert.Equal(ModuleState.Stopped, module.Supervisor.State);
        Assert.Empty(host.Modules);
    }

    [Fact]
    public async Task One_file_loaded_under_two_names_gives_each_instance_its_own_name()
    {
        await using var first = new ServiceHost("node-a");
        await using var second = new ServiceHost("node-b");
        await first.AddModuleAsync(Hooked("hooked-a"), Ct);
        await second.AddModuleAsync(Hooked("hooked-b"), Ct);
        await using var one = SkeinClient.ForLocalServices(first);
        await using var two = SkeinClient.ForLocalServices(second);
        Assert.Equal("\"hooked-a on node-a\"", await TestModules.CallJsonAsync(one, "hooked", "Who", "[]", Ct));
        Assert.Equal("\"hooked-b on node-b\"", await TestModules.CallJsonAsync(two, "hooked", "Who", "[]", Ct));
    }

    [Fact]
    public async Task Module_control_lists_an_assembly_modules_state_restarts_and_last_exit()
    {
        var options = new ServiceHostOptions { Loaders = BuiltInLoaders.Create(supervision: Restart(RestartMode.Permanent)) };
        var host = new ServiceHost("node-m", options);
        var events = new StateEvents(host);
        await using var node = await NodeHost.StartAsync(host, "test-token-hooks", cancellationToken: Ct,
            modulePaths: new ModulePaths([Path.GetDirectoryName(TestModules.Hooked)!], allowAnyPath: false));
        using var control = new ModuleControl("node-m", $"127.0.0.1:{node.Address.Port}", "test-token-hooks");

        var loaded = await control.LoadAsync(new RemoteModuleLoad { Path = TestModules.Hooked, Name = "hooked", ConfigJson = "{}" }, Wait, Ct);
        Assert.Equal(("active", 0, ""), (loaded.State, loaded.Restarts, loaded.LastExit));

        await using (var client = SkeinClient.ForLocalServices(host))
            await TestModules.CallJsonAsync(client, "hooked", "Crash", """["boom"]""", Ct).ContinueWith(_ => { }, Ct);
        await events.WaitForAsync("hooked", "failed");
        await events.WaitForAsync("hooked", "active");

        var listed = Assert.Single(await control.ListAsync(Ct));
        Assert.Equal(("hooked", "assembly", "active", 1), (listed.Name, listed.Loader, listed.State, listed.Restarts));
        Assert.Equal("threw InvalidOperationException: boom", listed.LastExit);

        var refused = await Assert.ThrowsAsync<ModuleStartFailedException>(() =>
            control.LoadAsync(new RemoteModuleLoad { Path = TestModules.Hooked, Name = "broken", ConfigJson = """{"failInitialize":"no config"}""" }, Wait, Ct));
        Assert.Equal("module 'broken' could not start: threw InvalidOperationException: no config", refused.Message);
        Assert.Single(await control.ListAsync(Ct));
    }

    [Fact]
    public async Task A_module_with_two_hooks_classes_is_refused_naming_both()
    {
        await using var host = new ServiceHost("node-a");
        var error = await Assert.ThrowsAsync<SkeinException>(() => host.AddModuleAsync(new ModuleLoadRequest(TestModules.TwoHooks), Ct));
        Assert.Contains("has 2 classes implementing IModuleHooks (TwoHooks.FirstHooks, TwoHooks.SecondHooks); a module may have one", error.Message);
        Assert.Empty(host.Modules);
    }

    [Fact]
    public async Task A_module_without_hooks_is_supervised_too()
    {
        await using var host = new ServiceHost("node-a");
        var module = (AssemblyModule)await host.AddModuleAsync(new ModuleLoadRequest(TestModules.GreeterV1, "greeter"), Ct);
        Assert.Null(module.HooksType);
        Assert.Equal(ModuleState.Active, module.Supervisor.State);
        Assert.True(await host.RemoveModuleAsync("greeter"));
        Assert.Equal(ModuleState.Stopped, module.Supervisor.State);
    }
}

/// <summary>The caller's own copy of the Hooked module's per-connection contract, as any remote caller has.</summary>
[Service("hooked-session")]
public interface ICallerHookedSession : IAsyncDisposable
{
    Task<string> RunAsync(CancellationToken cancellationToken = default);
}
