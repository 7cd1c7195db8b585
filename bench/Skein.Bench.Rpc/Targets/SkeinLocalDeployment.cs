using Skein.Bench.Rpc.Load;
using Skein.Bench.Rpc.Skein;
using Skein.Cluster;
using Skein.Cluster.Services.Hosting;
using Skein.Cluster.Client;

namespace Skein.Bench.Rpc.Targets;

/// <summary>
/// Skein in-process: caller and service on the same node, through the same typed proxy API and the same encoding,
/// without a socket (the "in-process call" figure; not a remote system, so its ratio is only for scale).
/// </summary>
internal sealed class SkeinLocalDeployment(SkeinClient client) : IEchoDeployment
{
    public const string Name = "skein-local";

    public static Task<IEchoDeployment> StartAsync(CancellationToken cancellationToken)
    {
        var host = new ServiceHost("bench-node");
        host.Add<IBenchEcho, BenchEcho>();
        return Task.FromResult<IEchoDeployment>(new SkeinLocalDeployment(SkeinClient.ForLocalServices(host)));
    }

    public async ValueTask<IEchoTarget> CreateTargetAsync(int caller, CancellationToken cancellationToken) =>
        new SkeinDeployment.ProxyTarget(await client.GetServiceAsync<IBenchEcho>(cancellationToken).ConfigureAwait(false));

    public ValueTask DisposeAsync() => client.DisposeAsync();
}
