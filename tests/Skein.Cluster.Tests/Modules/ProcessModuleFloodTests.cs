using Process = System.Diagnostics.Process;
using Skein.Modules;
using Skein.Modules.Lifecycle;
using Skein.Modules.Process;
using Skein.Cluster.Services.Client;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using Skein.Cluster.Services;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;
using ServiceHostOptions = Skein.Cluster.Services.Hosting.ServiceHostOptions;

namespace Skein.Cluster.Tests.Modules;

/// <summary>
/// Module processes that misbehave on their pipes — flooding stdout or stderr, writing garbage, never saying hello —
/// are stopped and reported (or, for stderr, merely muffled), while a second module on the same node keeps answering.
/// Small Python modules written to a temporary folder play the culprits.
/// </summary>
public sealed class ProcessModuleFloodTests : IAsyncLifetime
{
    private const string Token = "test-token-flood";
    private static readonly TimeSpan Wait = TestPatience.Ceiling;
    private readonly TempDirectory _folder = new();
    private readonly CapturingLogger _log = new();
    private ServiceHost? _services;
    private NodeHost? _node;
    private SkeinClient? _client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Sdk => Path.Combine(ModuleProcess.RepositoryRoot(), "sdk", "python");

    private static string StatsPath => Path.Combine(ModuleProcess.RepositoryRoot(), "examples", "modules", "stats", "stats.py");

    // A module made with the Python helper: one service, "misbehave", whose methods are the misdeeds.
    private const string Culprit = """
        import sys
        sys.path.insert(0, SDK)
        from skein_module import Module, method, service

        module = None

        @service("misbehave", mode="singleton")
        class Misbehave:
            @method
            def flood_logs(self) -> str:
                for i in range(1_000_000):
                    module.log(f"line {i}")
                return "survived"

            @method
            def flood_stderr(self) -> str:
                print("x" * 100_000, file=sys.stderr)
                for i in range(20_000):
                    print(f"noise {i}", file=sys.stderr)
                return "done"

            @method
            def ping(self) -> str:
                return "pong"

        module = Module(Misbehave)
        module.run()
        """;

    public async ValueTask InitializeAsync()
    {
        if (ModuleProcess.FindPython() is null) return;
        var loaders = new ModuleLoaders(new ProcessModuleLoader(new ProcessModuleOptions(), _log));
        _services = new ServiceHost("node-flood", new ServiceHostOptions { Loaders = loaders });
        await _services.AddModuleAsync(new ModuleLoadRequest(StatsPath), Ct);
        await _services.AddModuleAsync(new ModuleLoadRequest(await WriteAsync("culprit.py", Culprit.Replace("SDK", Quote(Sdk), StringComparison.Ordinal))), Ct);
        _node = await NodeHost.StartAsync(_services, Token, cancellationToken: Ct);
        var routes = new StaticRoutes(_services.Describe().Select(s => new ServiceLocation("n-1", "node-flood", $"127.0.0.1:{_node.Address.Port}", s)));
        _client = new SkeinClient(routes, Token, new SkeinClientOptions(), null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync();
        if (_node is not null) await _node.DisposeAsync();
        _folder.Dispose();
    }

    private SkeinClient Client
    {
        get
        {
            Assert.SkipWhen(_client is null, "python3 is not on the PATH");
            return _client!;
        }
    }

    private ProcessLoadedModule Module(string name) => (ProcessLoadedModule)_services!.Modules.Single(m => m.Name == name);

    [Fact]
    public async Task A_module_flooding_stdout_with_logs_is_stopped_and_reported_while_another_keeps_answering()
    {
        Assert.Equal("\"pong\"", await TestModules.CallJsonAsync(Client, "misbehave", "Ping", "[]", Ct));
        var culprit = Module("culprit");
        var changes = new System.Collections.Concurrent.ConcurrentQueue<ModuleStateChangedEventArgs>();
        culprit.Supervisor.Lifecycle.StateChanged += (_, change) => changes.Enqueue(change);

        var flood = TestModules.CallJsonAsync(Client, "misbehave", "FloodLogs", "[]", Ct);
        // The other module answers throughout, on the same node.
        do Assert.Equal("2.5", await TestModules.CallJsonAsync(Client, "stats", "Mean", "[[1,2,3,4]]", Ct));
        while (!flood.IsCompleted);
        var error = await Assert.ThrowsAsync<RemoteException>(() => flood);

        Assert.Equal(RemoteErrorKind.Unavailable, error.Kind);
        Assert.Contains("culprit", error.Message, StringComparison.Ordinal);
        Assert.Contains("flooded stdout", error.Message, StringComparison.Ordinal);
        await WaitUntilAsync(() => culprit.Supervisor.LastExit is not null);
        Assert.Contains("flooded stdout", culprit.Supervisor.LastExit!.ToString(), StringComparison.Ordinal);
        Assert.True(culprit.Supervisor.LastExit.IsAbnormal);
        Assert.Contains("flooded stdout", culprit.Supervisor.GetStatus().LastExit, StringComparison.Ordinal);
        // The supervisor records the exit before it announces the state change and logs: wait for those, not assume them.
        await WaitUntilAsync(() => changes.Any(c => c.To == ModuleState.Failed && c.Reason != null && c.Reason.Contains("flooded stdout", StringComparison.Ordinal)));
        await WaitUntilAsync(() => _log.Entries.Any(e => e.Text.Contains("module culprit flooded stdout", StringComparison.Ordinal)));
        // Restarted by its policy, it answers again.
        Assert.Equal("\"pong\"", await TestModules.CallJsonAsync(Client, "misbehave", "Ping", "[]", Ct));
        Assert.Equal("2.5", await TestModules.CallJsonAsync(Client, "stats", "Mean", "[[1,2,3,4]]", Ct));
    }

    [Fact]
    public async Task A_module_flooding_stderr_keeps_running_and_the_node_log_gets_a_count_of_dropped_lines()
    {
        var stats = TestModules.CallJsonAsync(Client, "stats", "Mean", "[[1,2,3,4]]", Ct);

        Assert.Equal("\"done\"", await TestModules.CallJsonAsync(Client, "misbehave", "FloodStderr", "[]", Ct));

        Assert.Equal("2.5", await stats);
        Assert.Equal("\"pong\"", await TestModules.CallJsonAsync(Client, "misbehave", "Ping", "[]", Ct));
        Assert.Equal(ModuleState.Active, Module("culprit").Supervisor.State);
        await WaitUntilAsync(() => _log.Entries.Any(e => e.Text.Contains("stderr lines dropped", StringComparison.Ordinal)));
        await WaitUntilAsync(() => _log.Entries.Any(e => e.Text.Contains("x… (", StringComparison.Ordinal)));
        var noise = _log.Entries.Count(e => e.Text.Contains("[culprit] noise", StringComparison.Ordinal));
        Assert.InRange(noise, 1, 19_999);
        Assert.Contains(_log.Entries, e => e.Text.Contains("[culprit]", StringComparison.Ordinal) && e.Text.Contains("stderr lines dropped", StringComparison.Ordinal));
        // The endless line is cut, not kept whole.
        Assert.DoesNotContain(_log.Entries, e => e.Text.Length > 10_000);
    }

    [Fact]
    public async Task Answers_to_conversations_nobody_opened_count_as_a_flood_too()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        var path = await WriteAsync("ghost.py", RawModule("""
            while True:
                frame({"kind": "response", "conversation": 987654, "status": "ok"}, b"1")
            """));

        await using var module = await ProcessModule.StartAsync(new ModuleLoadRequest(path), new ProcessModuleOptions { MaxUnsolicitedFramesPerSecond = 50 }, _log, Ct);
        var reason = await module.Exited.WaitAsync(Wait, Ct);

        Assert.StartsWith("flooded stdout: more than 50 frames", reason, StringComparison.Ordinal);
        Assert.Equal(reason[..reason.IndexOf(';', StringComparison.Ordinal)], module.Cause);
        Assert.False(module.IsRunning);
    }

    [Fact]
    public async Task Events_over_the_byte_budget_are_a_flood()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        var path = await WriteAsync("loud.py", RawModule("""
            while True:
                frame({"kind": "event", "subject": "loud"}, b'"' + b"a" * 10000 + b'"')
            """));

        await using var module = await ProcessModule.StartAsync(new ModuleLoadRequest(path), new ProcessModuleOptions { MaxUnsolicitedBytesPerSecond = 100_000 }, _log, Ct);
        var reason = await module.Exited.WaitAsync(Wait, Ct);

        Assert.StartsWith("flooded stdout: ", reason, StringComparison.Ordinal);
        Assert.Contains("over the limit of 100000", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_frame_after_the_hello_stops_the_module_naming_the_fault()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        var path = await WriteAsync("garbage.py", RawModule("""
            out.write(b"\x00\x00\x00\x05hello")
            out.flush()
            sys.stdin.buffer.read()
            """));

        await using var module = await ProcessModule.StartAsync(new ModuleLoadRequest(path), new ProcessModuleOptions(), _log, Ct);
        var reason = await module.Exited.WaitAsync(Wait, Ct);

        Assert.StartsWith("broke the stdio protocol: header is not JSON", reason, StringComparison.Ordinal);
        Assert.StartsWith("broke the stdio protocol", module.Cause, StringComparison.Ordinal);
        Assert.False(module.IsRunning);
    }

    [Fact]
    public async Task A_module_that_never_says_hello_fails_to_load_at_the_hello_timeout_and_is_gone()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        var pidFile = Path.Combine(_folder.Path, "silent.pid");
        var path = await WriteAsync("silent.py", $$"""
            import os, sys, time
            with open({{Quote(pidFile)}}, "w") as f:
                f.write(str(os.getpid()))
            sys.stdout.buffer.write(b"SKEINMOD\x01")
            sys.stdout.flush()
            time.sleep(120)
            """);
        var loaders = new ModuleLoaders(new ProcessModuleLoader(new ProcessModuleOptions { HelloTimeout = TimeSpan.FromMilliseconds(500) }, _log));
        await using var services = new ServiceHost("node-silent", new ServiceHostOptions { Loaders = loaders });

        var error = await Assert.ThrowsAsync<ModuleStartFailedException>(() => services.AddModuleAsync(new ModuleLoadRequest(path), Ct));

        Assert.Contains("did not say hello within 0.5 s", error.Message, StringComparison.Ordinal);
        Assert.Empty(services.Describe());
        // Killed before the load failed; on a slow machine it may not even have got as far as writing its pid.
        if (File.Exists(pidFile) && int.TryParse(await File.ReadAllTextAsync(pidFile, Ct), out var pid))
            Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid)); // no such process any more
    }

    // A module speaking raw frames: the preamble and a hello, then the body given.
    private static string RawModule(string body) => $$"""
        import json, struct, sys
        out = sys.stdout.buffer
        def frame(header, payload=b""):
            h = json.dumps(header).encode()
            out.write(struct.pack(">I", len(h)) + h + struct.pack(">I", len(payload)) + payload)
            out.flush()
        out.write(b"SKEINMOD\x01")
        out.flush()
        frame({"kind": "hello", "services": [{"name": "raw", "mode": "singleton", "methods": [{"name": "Noop", "parameters": []}]}]})
        {{body}}
        """;

    private async Task<string> WriteAsync(string name, string text)
    {
        var path = Path.Combine(_folder.Path, name);
        await File.WriteAllTextAsync(path, text, Ct);
        return path;
    }

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the condition did not come true in time");
            await Task.Delay(20, Ct);
        }
    }
}
