using Skein.Modules;
using System.Text;
using Skein.Modules.Process;
using Skein.Cluster.Services.Client;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using Skein.Cluster.Services;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;

namespace Skein.Cluster.Tests.Modules;

/// <summary>The C# side of the Python stats service: the contract a .NET caller uses for it.</summary>
[Service("stats")]
public interface IStats
{
    Task<double> MeanAsync(double[] values, CancellationToken cancellationToken = default);

    Task<double> MedianAsync(double[] values);

    Task<StatsSummary> DescribeAsync(double[] values);

    IAsyncEnumerable<double> RunningMeanAsync(double[] values, CancellationToken cancellationToken = default);
}

public sealed record StatsSummary(int Count, double Mean, double Median, double Min, double Max, double Stdev);

/// <summary>
/// A node hosting the Python stats module as a real child process, called over a real socket through a typed
/// C# proxy and by name with JSON, as skein call does.
/// </summary>
public sealed class ProcessModuleTests : IAsyncLifetime
{
    private const string Token = "test-token-modules";
    private static readonly TimeSpan Wait = TestPatience.Ceiling;
    private NodeHost? _node;
    private SkeinClient? _client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string StatsPath => Path.Combine(ModuleProcess.RepositoryRoot(), "examples", "modules", "stats", "stats.py");

    public async ValueTask InitializeAsync()
    {
        if (ModuleProcess.FindPython() is null) return;
        var services = new ServiceHost("node-py");
        var module = await services.AddModuleAsync(new Skein.Modules.ModuleLoadRequest(StatsPath), Ct);
        Assert.Equal(["stats"], module.Services.Select(s => s.Name));
        _node = await NodeHost.StartAsync(services, Token, cancellationToken: Ct);
        var routes = new StaticRoutes(services.Describe().Select(s => new ServiceLocation("n-1", "node-py", $"127.0.0.1:{_node.Address.Port}", s)));
        _client = new SkeinClient(routes, Token, new SkeinClientOptions(), null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync();
        if (_node is not null) await _node.DisposeAsync();
    }

    private SkeinClient Client
    {
        get
        {
            Assert.SkipWhen(_client is null, "python3 is not on the PATH");
            return _client!;
        }
    }

    [Fact]
    public async Task A_typed_CSharp_proxy_calls_the_Python_service()
    {
        var stats = await Client.GetServiceAsync<IStats>(Ct);

        Assert.Equal(2.5, await stats.MeanAsync([1, 2, 3, 4], Ct));
        Assert.Equal(3, await stats.MedianAsync([5, 1, 3]));
        var summary = await stats.DescribeAsync([1, 2, 3, 4]);
        Assert.Equal(4, summary.Count);
        Assert.Equal(2.5, summary.Mean);
        var running = new List<double>();
        await foreach (var mean in stats.RunningMeanAsync([2, 4, 6], Ct)) running.Add(mean);
        Assert.Equal([2.0, 3.0, 4.0], running);
    }

    [Fact]
    public async Task A_JSON_call_by_name_gets_the_Python_result()
    {
        var results = new List<string>();
        await foreach (var value in Client.CallJsonAsync("stats", "Mean", Encoding.UTF8.GetBytes("[[1,2,3,4]]"), Ct)) results.Add(Encoding.UTF8.GetString(value.Span));

        Assert.Equal("2.5", Assert.Single(results));
    }

    [Fact]
    public async Task A_Python_exception_arrives_as_a_remote_exception_with_its_type_and_traceback()
    {
        var stats = await Client.GetServiceAsync<IStats>(Ct);

        var error = await Assert.ThrowsAsync<RemoteException>(() => stats.MedianAsync([]));

        Assert.Equal(RemoteErrorKind.Application, error.Kind);
        Assert.Contains("StatisticsError", error.RemoteType, StringComparison.Ordinal);
        Assert.Equal("node-py", error.Node);
        Assert.Equal("stats", error.Service);
        Assert.Contains("median", error.RemoteStackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_killed_module_process_is_restarted_and_past_the_limit_its_services_are_withdrawn()
    {
        var stats = await Client.GetServiceAsync<IStats>(Ct);
        Assert.Equal(2.0, await stats.MeanAsync([2], Ct));
        var loaded = (ProcessLoadedModule)_node!.Services.Modules.Single();
        var first = loaded.Process!.ProcessId;
        var published = new System.Collections.Concurrent.ConcurrentQueue<(string Subject, string Payload)>();
        _node.Services.Events += (subject, payload) => published.Enqueue((subject, Encoding.UTF8.GetString(payload.Span)));

        Kill(first);
        await WaitUntilAsync(() => loaded.Process?.ProcessId != first); // the node saw it die
        Assert.Equal(3.0, await stats.MeanAsync([3], Ct)); // waits for the restart, then is answered by the new process

        Assert.NotEqual(first, loaded.Process!.ProcessId);
        Assert.Equal(1, loaded.Supervisor.Restarts);
        // Each state change goes to the bus as module.stats.state: failed, then initializing … active again.
        Assert.Contains(published, e => e.Subject == "module.stats.state" && e.Payload.Contains("\"to\":\"failed\"", StringComparison.Ordinal));
        Assert.Contains(published, e => e.Subject == "module.stats.state" && e.Payload.Contains("\"to\":\"active\"", StringComparison.Ordinal));
        var withdrawn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _node.Services.ServicesChanged += () => withdrawn.TrySetResult(); // the node tells the registry from this
        // Permanent, at most 5 restarts in 60 s: keep killing it until the supervisor gives up.
        for (var kills = 0; kills < 10 && !withdrawn.Task.IsCompleted; kills++)
        {
            await WaitUntilAsync(() => loaded.Process is not null || withdrawn.Task.IsCompleted);
            if (loaded.Process is not { } running) break;
            Kill(running.ProcessId);
            await WaitUntilAsync(() => loaded.Process?.ProcessId != running.ProcessId || withdrawn.Task.IsCompleted);
        }
        await withdrawn.Task.WaitAsync(Wait, Ct);

        Assert.Equal(Skein.Modules.Lifecycle.ModuleState.Failed, loaded.Supervisor.State);
        Assert.Empty(_node.Services.Describe());
        var error = await Assert.ThrowsAsync<RemoteException>(() => stats.MeanAsync([1], Ct));
        Assert.Contains(error.Kind, new[] { RemoteErrorKind.Unavailable, RemoteErrorKind.ServiceNotFound });
        Assert.Contains("stats", error.Message, StringComparison.Ordinal);
    }

    private static void Kill(int processId)
    {
        using var process = System.Diagnostics.Process.GetProcessById(processId);
        process.Kill(); // SIGKILL: a crash, not a shutdown
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the condition did not come true in time");
            await Task.Delay(20, Ct);
        }
    }

    [Fact]
    public async Task A_program_that_is_not_a_module_fails_to_load_with_its_exit_and_stderr()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        var script = Path.Combine(Path.GetTempPath(), $"not-a-module-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(script, "import sys\nprint('oops', file=sys.stderr)\nsys.exit(3)\n", Ct);
        try
        {
            await using var services = new ServiceHost("node-bad");

            var error = await Assert.ThrowsAsync<ModuleStartFailedException>(() => services.AddModuleAsync(new Skein.Modules.ModuleLoadRequest(script), Ct));

            Assert.Contains("exited with code 3 before its hello", error.Message, StringComparison.Ordinal);
            Assert.Contains("oops", error.Message, StringComparison.Ordinal);
            Assert.Empty(services.Describe());
        }
        finally
        {
            File.Delete(script);
        }
    }
}
