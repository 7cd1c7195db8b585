using System.Collections.Concurrent;
using Skein.Cluster.ModuleHost;
using Skein.Modules;
using Skein.Modules.Isolated;
using Skein.Modules.Lifecycle;
using Skein.Modules.Process;
using Skein.Cluster.Services.Client;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using Skein.Modules.BuiltIn;
using Skein.Cluster.Services;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;

namespace Skein.Cluster.Tests.Modules;

/// <summary>The caller's copy of the test module's contract (tests/Modules/Crasher), as any remote caller has one.</summary>
[Service("crasher")]
public interface ICrasher
{
    Task<string> EchoAsync(string text, CancellationToken cancellationToken = default);

    Task<int> CountAsync(CancellationToken cancellationToken = default);

    Task<int> ProcessIdAsync(CancellationToken cancellationToken = default);

    IAsyncEnumerable<int> RangeAsync(int count, CancellationToken cancellationToken = default);

    Task<string> ThrowAsync(string message, CancellationToken cancellationToken = default);

    Task<string> WaitForCancelAsync(CancellationToken cancellationToken = default);

    Task<int> WaitingCallsAsync(CancellationToken cancellationToken = default);

    Task<int> CancelledCallsAsync(CancellationToken cancellationToken = default);

    Task<int> OtherObjectsAsync(CancellationToken cancellationToken = default);

    Task FailFastAsync(string message, CancellationToken cancellationToken = default);

    Task ExitAsync(int code, CancellationToken cancellationToken = default);

    Task<string> PrintAsync(string text, CancellationToken cancellationToken = default);

    Task<string> PrintRawAsync(string text, CancellationToken cancellationToken = default);
}

/// <summary>
/// An assembly loaded with the isolated loader runs in a module host process: it answers a C# proxy and JSON calls as
/// it would in the node, and when its code ends its process, only the host dies — the node keeps serving its other
/// module, the call in flight fails at once naming the module, and the supervisor starts a new host.
/// </summary>
public sealed class IsolatedModuleTests : IAsyncLifetime
{
    private const string Token = "test-token-isolated";
    private static readonly TimeSpan Wait = TestPatience.Ceiling;
    private ServiceHost? _services;
    private NodeHost? _node;
    private SkeinClient? _client;
    private StaticRoutes? _routes;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ServiceHost Services => _services!;

    private SkeinClient Client => _client!;

    public async ValueTask InitializeAsync()
    {
        _services = new ServiceHost("node-iso");
        var isolated = await _services.AddModuleAsync(new ModuleLoadRequest(TestModules.Crasher, loader: ModuleFormats.Isolated), Ct);
        Assert.Equal(["crasher"], isolated.Services.Select(s => s.Name));
        await _services.AddModuleAsync(new ModuleLoadRequest(TestModules.GreeterV1), Ct); // in the node's own process
        _node = await NodeHost.StartAsync(_services, Token, cancellationToken: Ct);
        _routes = new StaticRoutes(_services.Describe().Select(s => new ServiceLocation("n-1", "node-iso", $"127.0.0.1:{_node.Address.Port}", s)));
        _client = new SkeinClient(_routes, Token, new SkeinClientOptions(), null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync();
        if (_node is not null) await _node.DisposeAsync();
    }

    private ProcessLoadedModule Crasher => (ProcessLoadedModule)Services.Modules.Single(m => m.Name == "Crasher");

    [Fact]
    public async Task The_isolated_module_runs_in_its_own_process_and_answers_a_CSharp_proxy()
    {
        var crasher = await Client.GetServiceAsync<ICrasher>(Ct);

        Assert.Equal("hi", await crasher.EchoAsync("hi", Ct));
        var pid = await crasher.ProcessIdAsync(Ct);
        Assert.NotEqual(Environment.ProcessId, pid);
        Assert.Equal(Crasher.Process!.ProcessId, pid);
        Assert.Equal(ModuleFormats.Isolated, Crasher.Loader);
        var items = new List<int>();
        await foreach (var item in crasher.RangeAsync(3, Ct)) items.Add(item);
        Assert.Equal([0, 1, 2], items);
        // Console.Out goes to stderr in the host: the protocol's stdout stays clean and the call still answers.
        Assert.Equal("printed", await crasher.PrintAsync("printed", Ct));
        if (!OperatingSystem.IsWindows())
        {
            // So does what is written to the stdout descriptor itself, as native code would write it.
            Assert.Equal("raw bytes", await crasher.PrintRawAsync("raw bytes", Ct));
            Assert.Equal("still speaking", await crasher.EchoAsync("still speaking", Ct));
            Assert.Equal(pid, Crasher.Process?.ProcessId);
        }
    }

    [Fact]
    public async Task Each_proxy_gets_its_own_per_connection_object_in_the_host()
    {
        var first = await Client.GetServiceAsync<ICrasher>(Ct);
        var second = await Client.GetServiceAsync<ICrasher>(Ct);

        Assert.Equal(1, await first.CountAsync(Ct));
        Assert.Equal(2, await first.CountAsync(Ct));
        Assert.Equal(1, await second.CountAsync(Ct));
        Assert.Equal(3, await first.CountAsync(Ct));
    }

    [Fact]
    public async Task Proxies_of_two_clients_get_two_objects_too()
    {
        await using var otherClient = new SkeinClient(_routes!, Token, new SkeinClientOptions(), null);
        var first = await Client.GetServiceAsync<ICrasher>(Ct);
        var second = await otherClient.GetServiceAsync<ICrasher>(Ct);

        Assert.Equal(1, await first.CountAsync(Ct));
        Assert.Equal(1, await second.CountAsync(Ct));
        Assert.Equal(2, await first.CountAsync(Ct));
    }

    [Fact]
    public async Task The_objects_of_a_client_that_went_away_are_released_in_the_host_after_the_lease()
    {
        await using var services = new ServiceHost("node-lease", new Skein.Cluster.Services.Hosting.ServiceHostOptions { LeaseTimeout = TimeSpan.FromMilliseconds(100) });
        await services.AddModuleAsync(new ModuleLoadRequest(TestModules.Crasher, loader: ModuleFormats.Isolated), Ct);
        await using var node = await NodeHost.StartAsync(services, Token, cancellationToken: Ct);
        var routes = new StaticRoutes(services.Describe().Select(s => new ServiceLocation("n-1", "node-lease", $"127.0.0.1:{node.Address.Port}", s)));
        await using var observer = new SkeinClient(routes, Token, new SkeinClientOptions(), null);
        var leaving = new SkeinClient(routes, Token, new SkeinClientOptions(), null);
        var proxy = await leaving.GetServiceAsync<ICrasher>(Ct);
        Assert.Equal(1, await proxy.CountAsync(Ct)); // its object now lives in the host
        Assert.Equal("1", await TestModules.CallJsonAsync(observer, "crasher", "OtherObjects", "[]", Ct));

        await leaving.DisposeAsync();

        await WaitUntilAsync(async () => await TestModules.CallJsonAsync(observer, "crasher", "OtherObjects", "[]", Ct) == "0");
    }

    [Fact]
    public async Task An_exception_arrives_with_its_type_message_and_stack_trace()
    {
        var crasher = await Client.GetServiceAsync<ICrasher>(Ct);

        var error = await Assert.ThrowsAsync<RemoteException>(() => crasher.ThrowAsync("no such thing", Ct));

        Assert.Equal(RemoteErrorKind.Application, error.Kind);
        Assert.Equal("System.InvalidOperationException", error.RemoteType);
        Assert.Contains("no such thing", error.Message, StringComparison.Ordinal);
        Assert.Contains("ThrowAsync", error.RemoteStackTrace, StringComparison.Ordinal);
        Assert.Equal("node-iso", error.Node);
    }

    [Fact]
    public async Task JSON_calls_by_name_are_answered_as_skein_call_makes_them()
    {
        Assert.Equal("\"hi\"", await TestModules.CallJsonAsync(Client, "crasher", "Echo", """["hi"]""", Ct));
        Assert.Equal("1", await TestModules.CallJsonAsync(Client, "crasher", "Count", "[]", Ct)); // a fresh object per call without a proxy

        var error = await Assert.ThrowsAsync<RemoteException>(() => TestModules.CallJsonAsync(Client, "crasher", "Nope", "[]", Ct));
        Assert.Equal(RemoteErrorKind.MethodNotFound, error.Kind);
    }

    [Fact]
    public async Task A_cancelled_call_is_cancelled_inside_the_host()
    {
        var crasher = await Client.GetServiceAsync<ICrasher>(Ct);
        var before = await crasher.CancelledCallsAsync(Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var waiting = crasher.WaitForCancelAsync(cancel.Token);
        await WaitUntilAsync(async () => await crasher.WaitingCallsAsync(Ct) > 0); // the call has reached the module's code
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await WaitUntilAsync(async () => await crasher.CancelledCallsAsync(Ct) > before);
    }

    [Theory]
    [InlineData("FailFast")]
    [InlineData("Exit")]
    public async Task A_module_that_ends_its_process_kills_only_its_host_which_is_restarted(string how)
    {
        var crasher = await Client.GetServiceAsync<ICrasher>(Ct);
        var greeter = await TestModules.CallJsonAsync(Client, "greeter", "Greet", """["ada"]""", Ct);
        var first = await crasher.ProcessIdAsync(Ct);
        var crashed = new TaskCompletionSource<ModuleCrashedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        Crasher.Supervisor.Crashed += (_, e) => crashed.TrySetResult(e);

        var error = await Assert.ThrowsAsync<RemoteException>(() => how == "FailFast" ? crasher.FailFastAsync("on purpose", Ct) : crasher.ExitAsync(3, Ct))
            .WaitAsync(Wait, Ct);

        Assert.Equal(RemoteErrorKind.Unavailable, error.Kind);
        Assert.Contains("module Crasher", error.Message, StringComparison.Ordinal);
        Assert.Contains("exited with code", error.Message, StringComparison.Ordinal);
        // The node is untouched: its in-process module answers while the host restarts.
        Assert.Equal(greeter, await TestModules.CallJsonAsync(Client, "greeter", "Greet", """["ada"]""", Ct));
        var crash = await crashed.Task.WaitAsync(Wait, Ct);
        Assert.True(crash.Exit.IsAbnormal);
        if (how == "Exit") Assert.Equal(3, crash.Exit.ExitCode);
        else Assert.NotNull(crash.Exit.ErrorOutput); // FailFast's report, from the host's stderr
        // Restarted by its policy: the same proxy reaches a new host.
        var second = await crasher.ProcessIdAsync(Ct);
        Assert.NotEqual(first, second);
        Assert.Equal(1, Crasher.Supervisor.Restarts);
        Assert.Equal(ModuleState.Active, Crasher.Supervisor.State);
        Assert.Equal("again", await crasher.EchoAsync("again", Ct));
    }

    [Fact]
    public async Task Unloading_shuts_the_host_down_cleanly()
    {
        var process = Crasher.Process!;

        Assert.True(await Services.RemoveModuleAsync("Crasher"));

        Assert.False(process.IsRunning);
        Assert.Equal(0, process.ExitCode);
        Assert.DoesNotContain("crasher", Services.ServiceNames);
    }

    [Fact]
    public void The_isolated_loader_is_only_chosen_by_name()
    {
        var loaders = BuiltInLoaders.Create();

        Assert.IsType<AssemblyModuleLoader>(loaders.Choose(TestModules.Crasher));
        Assert.IsType<IsolatedModuleLoader>(loaders.Choose(TestModules.Crasher, ModuleFormats.Isolated));
    }

    [Fact]
    public async Task A_file_that_is_not_an_assembly_is_refused_before_any_host_starts()
    {
        using var folder = new TempDirectory();
        var script = Path.Combine(folder.Path, "tool.py");
        await File.WriteAllTextAsync(script, "print('hi')\n", Ct);

        var error = await Assert.ThrowsAsync<SkeinException>(() => Services.AddModuleAsync(new ModuleLoadRequest(script, loader: ModuleFormats.Isolated), Ct));

        Assert.Contains("is not a .NET assembly", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_assembly_the_host_cannot_load_fails_the_load_with_the_hosts_reason()
    {
        using var folder = new TempDirectory();
        var broken = Path.Combine(folder.Path, "Broken.dll");
        await File.WriteAllBytesAsync(broken, [(byte)'M', (byte)'Z', 0, 0, 1, 2, 3], Ct);

        var error = await Assert.ThrowsAsync<ModuleStartFailedException>(() => Services.AddModuleAsync(new ModuleLoadRequest(broken, loader: ModuleFormats.Isolated), Ct));

        Assert.Contains("exited with code 1 before its hello", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not a .NET assembly Skein can load", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_module_yaml_may_ask_for_the_isolated_loader()
    {
        using var folder = new TempDirectory();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(TestModules.Crasher)!))
            File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "module.yaml"), "name: crash\nentry: Crasher.dll\nloader: isolated\n", Ct);
        await using var services = new ServiceHost("node-yaml");

        var module = await services.AddModuleAsync(new ModuleLoadRequest(folder.Path), Ct);

        Assert.Equal(("crash", ModuleFormats.Isolated), (module.Name, module.Loader));
        Assert.NotEqual(Environment.ProcessId, ((ProcessLoadedModule)module).Process!.ProcessId);
    }

    [Fact]
    public async Task A_missing_module_host_is_named_in_the_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), ModuleHostProgram.FileName);
        var loader = new IsolatedModuleLoader(new IsolatedModuleOptions { HostPath = missing });

        var error = await Assert.ThrowsAsync<SkeinException>(() => loader.LoadAsync(new ModuleLoadRequest(TestModules.Crasher), Ct));

        Assert.Equal($"cannot run {TestModules.Crasher} isolated: the module host {missing} is missing (it is built and installed beside skein)", error.Message);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the condition did not come true in time");
            await Task.Delay(20, Ct);
        }
    }
}
