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
internal sealed partial class SkeinDeployment : IEchoDeployment, IServerAllocations
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

    /// <summary>The Python row with the helper told to serve one call at a time (<c>SKEIN_MODULE_CONCURRENCY=1</c>).</summary>
    public const string PythonSerialName = "skein-python-serial";

    /// <summary>The Python row with an earlier helper: the sdk/python folder <see cref="PythonBaseVariable"/> names.</summary>
    public const string PythonBaseName = "skein-python-base";

    /// <summary>Names the sdk/python folder of an earlier helper (a checkout of an older commit) for <see cref="PythonBaseName"/>.</summary>
    public const string PythonBaseVariable = "SKEIN_BENCH_PYTHON_BASE";

    /// <summary>The coordinator's address and the token file's path, as the child server reported them: "ADDRESS TOKEN-PATH".</summary>
    public string ReadyDetail => _server.ReadyDetail;

    private bool _python;

    public static Task<IEchoDeployment> StartAsync(CancellationToken cancellationToken) => StartAsync(Name, python: false, null, cancellationToken);

    /// <summary>The Python row: the same node, the echo answered by the module process pyecho.py.</summary>
    public static Task<IEchoDeployment> StartPythonAsync(CancellationToken cancellationToken) => StartAsync(PythonName, python: true, null, cancellationToken);

    public static Task<IEchoDeployment> StartPythonSerialAsync(CancellationToken cancellationToken) =>
        StartAsync(PythonSerialName, python: true, new Dictionary<string, string> { ["SKEIN_MODULE_CONCURRENCY"] = "1" }, cancellationToken);

    public static Task<IEchoDeployment> StartPythonBaseAsync(CancellationToken cancellationToken)
    {
        var folder = Environment.GetEnvironmentVariable(PythonBaseVariable);
        if (string.IsNullOrWhiteSpace(folder))
            throw new TargetUnavailableException($"set {PythonBaseVariable} to the sdk/python folder of an earlier checkout to measure its helper");
        if (!File.Exists(Path.Combine(folder, "skein_module.py")))
            throw new TargetUnavailableException($"{PythonBaseVariable}={folder}: no skein_module.py there");
        return StartAsync(PythonBaseName, python: true, new Dictionary<string, string> { ["SKEIN_PYTHON_SDK"] = Path.GetFullPath(folder) }, cancellationToken);
    }

    private static async Task<IEchoDeployment> StartAsync(string name, bool python, IReadOnlyDictionary<string, string>? environment,
        CancellationToken cancellationToken)
    {
        var server = await ChildServer.StartAsync(name, python ? [ServeCommand.Skein, "python"] : [ServeCommand.Skein], cancellationToken, environment)
            .ConfigureAwait(false);
        try
        {
            var parts = server.ReadyDetail.Split(' ', 2);
            var client = await SkeinClient.ConnectAsync(ClusterAddress.Parse(parts[0]), ClusterToken.Read(parts[1]), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            if (python)
            {
                // Which code path serves the calls, and which interpreter: said next to the figures.
                var echo = await client.GetServiceAsync<IPyEcho>(cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"{name}: {await echo.ServingAsync(cancellationToken).ConfigureAwait(false)}");
            }
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

    public Task<long> ServerAllocatedBytesAsync(CancellationToken cancellationToken) => _server.AllocatedBytesAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class PythonTarget(IPyEcho proxy) : IEchoTarget
    {
        // Wrapped, not awaited: the adapter adds no allocation of its own to the bytes per call (as Orleans' does not).
        public ValueTask<string> EchoAsync(string text, CancellationToken cancellationToken) => new(proxy.EchoAsync(text, cancellationToken));
    }

    internal sealed class ProxyTarget(IBenchEcho proxy) : IEchoTarget, IAsyncDisposable
    {
        // Wrapped, not awaited: the adapter adds no allocation of its own to the bytes per call (as Orleans' does not).
        public ValueTask<string> EchoAsync(string text, CancellationToken cancellationToken) => new(proxy.EchoAsync(text, cancellationToken));

        public ValueTask DisposeAsync() => proxy.DisposeAsync();
    }
}
