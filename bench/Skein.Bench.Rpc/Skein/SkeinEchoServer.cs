using Microsoft.Extensions.Logging.Abstractions;
using Skein.Cluster;
using Skein.Cluster.Services.Hosting;

namespace Skein.Bench.Rpc.Skein;

/// <summary>
/// The server side of the Skein row, in the child process: a coordinator and one node hosting <see cref="BenchEcho"/>,
/// both on 127.0.0.1 with free ports, the node joined as any node would.
/// </summary>
internal sealed class SkeinEchoServer : IAsyncDisposable
{
    private readonly Coordinator _coordinator;
    private readonly NodeHost _node;
    private readonly NodeAgent _agent;
    private readonly CancellationTokenSource _stop;
    private readonly Task _membership;
    private readonly string _state;

    private SkeinEchoServer(Coordinator coordinator, NodeHost node, NodeAgent agent, Task membership, CancellationTokenSource stop, string state)
    {
        _coordinator = coordinator;
        _node = node;
        _agent = agent;
        _membership = membership;
        _stop = stop;
        _state = state;
    }

    public string Address => ClusterAddress.Format(_coordinator.Address);

    public string TokenPath => _coordinator.TokenPath;

    /// <param name="python">Host the echo as the Python module pyecho.py instead of as a class in this process.</param>
    public static async Task<SkeinEchoServer> StartAsync(bool python, CancellationToken cancellationToken)
    {
        var state = Directory.CreateTempSubdirectory("skein-bench-").FullName;
        var coordinator = await Coordinator.StartAsync(new CoordinatorOptions { Listen = "127.0.0.1:0", StateDirectory = state }, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        var token = ClusterToken.Read(coordinator.TokenPath);
        var services = new ServiceHost("bench-node");
        if (python) await services.AddModuleAsync(new Cluster.Modules.ModuleLoadRequest(PythonEchoPath()), cancellationToken).ConfigureAwait(false);
        else services.Add<IBenchEcho, BenchEcho>();
        var node = await NodeHost.StartAsync(services, token, cancellationToken: cancellationToken).ConfigureAwait(false);
        var options = new NodeOptions
        {
            Join = ClusterAddress.Format(coordinator.Address),
            Token = token,
            Name = "bench-node",
            Address = $"{node.Address.Host}:{node.Address.Port}",
        };
        foreach (var service in services.Describe()) options.Services.Add(service);
        var agent = new NodeAgent(options, TimeProvider.System, NullLogger<NodeAgent>.Instance);
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stop = new CancellationTokenSource();
        var membership = agent.RunAsync(_ => joined.TrySetResult(), stop.Token);
        if (await Task.WhenAny(joined.Task, membership).ConfigureAwait(false) == membership)
        {
            await membership.ConfigureAwait(false); // throws why it could not join
            throw new InvalidOperationException("the benchmark node stopped before it joined");
        }
        return new SkeinEchoServer(coordinator, node, agent, membership, stop, state);
    }

    // The module is run from the source tree, where it finds the Python helper in sdk/python.
    private static string PythonEchoPath()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "bench", "Skein.Bench.Rpc", "Skein", "pyecho.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("pyecho.py not found above " + AppContext.BaseDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _membership.ConfigureAwait(false);
        _agent.Dispose();
        await _node.DisposeAsync().ConfigureAwait(false);
        await _coordinator.DisposeAsync().ConfigureAwait(false);
        Directory.Delete(_state, recursive: true);
    }
}
