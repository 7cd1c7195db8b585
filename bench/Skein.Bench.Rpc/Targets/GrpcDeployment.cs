using System.Net.Http;
using Grpc.Net.Client;
using Skein.Bench.Rpc.Grpc;
using Skein.Bench.Rpc.Hosting;
using Skein.Bench.Rpc.Load;

namespace Skein.Bench.Rpc.Targets;

/// <summary>
/// The baseline: <see cref="GrpcEchoServer"/> in a child process, called through one <see cref="GrpcChannel"/> shared
/// by every caller, with the transport settings of Skein's own cluster channel.
/// </summary>
internal sealed class GrpcDeployment : IEchoDeployment, IServerAllocations
{
    public const string Name = "grpc";

    private readonly ChildServer _server;
    private readonly GrpcChannel _channel;
    private readonly ChannelTarget _target;

    private GrpcDeployment(ChildServer server, GrpcChannel channel)
    {
        _server = server;
        _channel = channel;
        _target = new ChannelTarget(new EchoService.EchoServiceClient(channel));
    }

    public static async Task<IEchoDeployment> StartAsync(CancellationToken cancellationToken)
    {
        var server = await ChildServer.StartAsync(Name, [ServeCommand.Grpc], cancellationToken).ConfigureAwait(false);
        var channel = GrpcChannel.ForAddress(new Uri(server.ReadyDetail), new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(5),
                UseProxy = false,
                EnableMultipleHttp2Connections = true,
                KeepAlivePingDelay = TimeSpan.FromSeconds(10),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            },
        });
        return new GrpcDeployment(server, channel);
    }

    public ValueTask<IEchoTarget> CreateTargetAsync(int caller, CancellationToken cancellationToken) => new(_target);

    public Task<long> ServerAllocatedBytesAsync(CancellationToken cancellationToken) => _server.AllocatedBytesAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class ChannelTarget(EchoService.EchoServiceClient client) : IEchoTarget
    {
        public async ValueTask<string> EchoAsync(string text, CancellationToken cancellationToken)
        {
            var reply = await client.EchoAsync(new EchoRequest { Text = text }, cancellationToken: cancellationToken).ConfigureAwait(false);
            return reply.Text;
        }
    }
}
