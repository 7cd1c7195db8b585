using System.Globalization;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using Skein.Cluster.Services;
using Skein.Cluster.Services.Client;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;

namespace Skein.Cluster.Tests.Modules;

/// <summary>The C# side of the Python "meet" module below: methods that only finish when another call is served meanwhile.</summary>
[Service("meet")]
public interface IMeet
{
    /// <summary>A plain (blocking) Python method that waits at a barrier for a second call.</summary>
    Task<string> TogetherAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>An async Python method that waits until a second call has started.</summary>
    Task<string> GatherAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Blocks until <see cref="LetGoAsync"/> is called with the same key.</summary>
    Task<string> HoldAsync(string key, CancellationToken cancellationToken = default);

    Task<string> LetGoAsync(string key, CancellationToken cancellationToken = default);

    Task<int> TwiceAsync(int value, CancellationToken cancellationToken = default);
}

/// <summary>
/// A node forwarding calls to one Python module process (the helper in sdk/python): several calls are in flight to
/// the process at once, the helper serves them at the same time, and each answer, in whatever order it comes, reaches
/// its own caller. Every method here waits for another call instead of for time, so nothing depends on the clock: run
/// one call at a time, they would fail (the barrier breaks after the test's patience) rather than pass slowly.
/// </summary>
public sealed class PythonModuleConcurrencyTests : IAsyncLifetime
{
    private const string Token = "test-token-python-concurrency";
    private NodeHost? _node;
    private SkeinClient? _client;
    private string? _folder;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Module(double patienceSeconds, string sdk) => $$"""
        import asyncio, sys, threading
        sys.path.insert(0, {{PythonString(sdk)}})
        from skein.module import Module, method, service

        PATIENCE = {{patienceSeconds.ToString(CultureInfo.InvariantCulture)}}


        @service("meet", mode="singleton")
        class Meet:
            def __init__(self):
                self.barrier = threading.Barrier(2, timeout=PATIENCE)
                self.gathered = 0
                self.keys = {}
                self.lock = threading.Lock()

            @method
            def together(self, name):
                self.barrier.wait()  # BrokenBarrierError (an application error) unless a second call arrives meanwhile
                return name

            @method
            async def gather(self, name):
                self.gathered += 1  # on the event loop's thread only
                loop = asyncio.get_running_loop()
                until = loop.time() + PATIENCE
                while self.gathered < 2:
                    if loop.time() > until:
                        raise TimeoutError("no second call started while %s waited" % name)
                    await asyncio.sleep(0.005)
                return name

            def _key(self, key):
                with self.lock:
                    return self.keys.setdefault(key, threading.Event())

            @method
            def hold(self, key):
                if not self._key(key).wait(PATIENCE):
                    raise TimeoutError("nobody let %s go" % key)
                return key

            @method
            def let_go(self, key):
                self._key(key).set()
                return key

            @method
            def twice(self, value):
                return 2 * value


        if __name__ == "__main__":
            sys.exit(Module(Meet).run())
        """;

    private static string PythonString(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    public async ValueTask InitializeAsync()
    {
        if (ModuleProcess.FindPython() is null) return;
        _folder = Directory.CreateTempSubdirectory("skein-py-meet-").FullName;
        var script = Path.Combine(_folder, "meet.py");
        await File.WriteAllTextAsync(script, Module(TestPatience.Ceiling.TotalSeconds, Path.Combine(ModuleProcess.RepositoryRoot(), "sdk", "python")), Ct);
        var services = new ServiceHost("node-meet");
        await services.AddModuleAsync(new Skein.Modules.ModuleLoadRequest(script), Ct);
        _node = await NodeHost.StartAsync(services, Token, cancellationToken: Ct);
        var routes = new StaticRoutes(services.Describe().Select(s => new ServiceLocation("n-1", "node-meet", $"127.0.0.1:{_node.Address.Port}", s)));
        _client = new SkeinClient(routes, Token, new SkeinClientOptions(), null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync();
        if (_node is not null) await _node.DisposeAsync();
        if (_folder is not null) Directory.Delete(_folder, recursive: true);
    }

    private async Task<IMeet> MeetAsync()
    {
        Assert.SkipWhen(_client is null, "python3 is not on the PATH");
        return await _client!.GetServiceAsync<IMeet>(Ct);
    }

    [Fact]
    public async Task Two_blocking_calls_to_one_Python_module_are_served_at_the_same_time()
    {
        var meet = await MeetAsync();

        var answers = await Task.WhenAll(meet.TogetherAsync("a", Ct), meet.TogetherAsync("b", Ct));

        Assert.Equal(["a", "b"], answers);
    }

    [Fact]
    public async Task Two_async_calls_to_one_Python_module_are_served_at_the_same_time()
    {
        var meet = await MeetAsync();

        var answers = await Task.WhenAll(meet.GatherAsync("a", Ct), meet.GatherAsync("b", Ct));

        Assert.Equal(["a", "b"], answers);
    }

    [Fact]
    public async Task An_answer_that_overtakes_an_earlier_call_reaches_its_own_caller()
    {
        var meet = await MeetAsync();

        var held = meet.HoldAsync("k", Ct); // answered only after the next call has been
        Assert.Equal("k", await meet.LetGoAsync("k", Ct));

        Assert.Equal("k", await held);
    }

    [Fact]
    public async Task Many_calls_in_flight_at_once_each_get_their_own_answer()
    {
        var meet = await MeetAsync();

        var answers = await Task.WhenAll(Enumerable.Range(1, 200).Select(i => meet.TwiceAsync(i, Ct)));

        Assert.Equal(Enumerable.Range(1, 200).Select(i => 2 * i), answers);
    }
}
