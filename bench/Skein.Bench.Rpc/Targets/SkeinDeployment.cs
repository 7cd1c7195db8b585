using Skein.Bench.Rpc.Hosting;
using Skein.Bench.Rpc.Load;
using Skein.Bench.Rpc.Skein;
using Skein.Cluster;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;

namespace Skein.Bench.Rpc.Targets;

/// <summary>
/// Skein: a coordinator and a node hosting the echo service in a child process (<c>serve-skein</c>); the bench
/// process connects a <see cref="SkeinClient"/> through the coordinator and gives each caller its own typed proxy
/// (per-connection, so its own server object). Every proxy shares the client's one call stream to the node.
/// </summary>
internal sealed partial class SkeinDeployment : IEchoDeployment
{
    public const string Name = "skein";

    private readonly ChildServer _server;
    private readonly SkeinClient _client;

    private SkeinDeployment(ChildServer server, SkeinClient client)
    {
        _server = server;
        _client = client;
    }

    public const string PythonName = "skein-python";

    /// <summary>The coordinator's address and the token file's path, as the child server reported them: "ADDRESS TOKEN-PATH".</summary>
    public string ReadyDetail => _server.ReadyDetail;

    private bool _python;

    public static Task<IEchoDeployment> StartAsync(CancellationToken cancellationToken) => StartAsync(python: false, cancellationToken);

    /// <summary>The Python row: the same node, the echo answered by the module process pyecho.py.</summary>
    public static Task<IEchoDeployment> StartPythonAsync(CancellationToken cancellationToken) => StartAsync(python: true, cancellationToken);

    private static async Task<IEchoDeployment> StartAsync(bool python, CancellationToken cancellationToken)
    {
        var server = await ChildServer.StartAsync(python ? PythonName : Name, python ? [ServeCommand.Skein, "python"] : [ServeCommand.Skein], cancellationToken)
            .ConfigureAwait(false);
        try
        {
            var parts = server.ReadyDetail.Split(' ', 2);
            var client = await SkeinClient.ConnectAsync(ClusterAddress.Parse(parts[0]), ClusterToken.Read(parts[1]), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return new SkeinDeployment(server, client) { _python = python };
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask<IEchoTarget> CreateTargetAsync(int caller, CancellationToken cancellationToken) => _python
        ? new PythonTarget(await _client.GetServiceAsync<IPyEcho>(cancellationToken).ConfigureAwait(false))
        : new ProxyTarget(await _client.GetServiceAsync<IBenchEcho>(cancellationToken).ConfigureAwait(false));

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class PythonTarget(IPyEcho proxy) : IEchoTarget
    {
        public async ValueTask<string> EchoAsync(string text, CancellationToken cancellationToken) =>
            await proxy.EchoAsync(text, cancellationToken).ConfigureAwait(false);
    }

    internal sealed class ProxyTarget(IBenchEcho proxy) : IEchoTarget, IAsyncDisposable
    {
        public async ValueTask<string> EchoAsync(string text, CancellationToken cancellationToken) =>
            await proxy.EchoAsync(text, cancellationToken).ConfigureAwait(false);

        public ValueTask DisposeAsync() => proxy.DisposeAsync();
    }
}
