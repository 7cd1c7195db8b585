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

    public static async Task<SkeinEchoServer> StartAsync(CancellationToken cancellationToken)
    {
        var state = Directory.CreateTempSubdirectory("skein-bench-").FullName;
        var coordinator = await Coordinator.StartAsync(new CoordinatorOptions { Listen = "127.0.0.1:0", StateDirectory = state }, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        var token = ClusterToken.Read(coordinator.TokenPath);
        var services = new ServiceHost("bench-node");
        services.Add<IBenchEcho, BenchEcho>();
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
