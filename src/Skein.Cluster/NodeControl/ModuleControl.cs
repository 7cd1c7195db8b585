using Grpc.Core;
using Skein.Cluster.Internal;
using Skein.Modules;
using Skein.Modules.Discovery;
using Skein.Cluster.Protocol;
using Skein.Cluster.Addressing;

namespace Skein.Cluster.NodeControl;

/// <summary>Loads, unloads and lists the modules of one node, through its call endpoint (modules.proto).</summary>
public sealed class ModuleControl : IDisposable
{
    private static readonly TimeSpan ConnectTimeout = ClusterChannel.DefaultTimeout;
    private readonly ClusterChannel _channel;
    private readonly Protocol.Modules.ModulesClient _modules;

    /// <param name="node">The node's name, for messages.</param>
    /// <param name="address">Where the node serves calls, HOST:PORT.</param>
    public ModuleControl(string node, string address, string token)
    {
        Node = node;
        _channel = new ClusterChannel(ClusterAddress.Parse(address), token, ConnectTimeout);
        _modules = new Protocol.Modules.ModulesClient(_channel.CallInvoker);
    }

    public string Node { get; }

    // gRPC deadlines are wall-clock instants; they are taken from the clock as every other deadline is.
    private static DateTime Deadline(TimeSpan timeout) => TimeProvider.System.GetUtcNow().UtcDateTime + timeout;

    /// <summary>Loads <paramref name="path"/> (a path on the node's machine) and returns once the module is active.</summary>
    public Task<ModuleInfo> LoadAsync(string path, string? name, string? loader, TimeSpan timeout, CancellationToken cancellationToken) =>
        LoadAsync(new RemoteModuleLoad { Path = path, Name = name ?? "", Loader = loader ?? "" }, timeout, cancellationToken);

    /// <summary>Loads what <paramref name="request"/> says (path, name, loader, config, app) and returns once the module is active.</summary>
    public async Task<ModuleInfo> LoadAsync(RemoteModuleLoad request, TimeSpan timeout, CancellationToken cancellationToken) =>
        (await CallAsync(() => _modules.LoadAsync(request.ToWire(), deadline: Deadline(timeout), cancellationToken: cancellationToken).ResponseAsync)
            .ConfigureAwait(false)).FromWire();

    /// <summary>Unloads module <paramref name="name"/> and loads its file again; refused unless the node allows reloading.</summary>
    public async Task<ModuleInfo> ReloadAsync(string name, TimeSpan timeout, CancellationToken cancellationToken) =>
        (await CallAsync(() => _modules.ReloadAsync(new ReloadModuleRequest { Name = name }, deadline: Deadline(timeout), cancellationToken: cancellationToken).ResponseAsync)
            .ConfigureAwait(false)).FromWire();

    public Task UnloadAsync(string name, TimeSpan timeout, CancellationToken cancellationToken) =>
        CallAsync(() => _modules.UnloadAsync(new UnloadModuleRequest { Name = name }, deadline: Deadline(timeout), cancellationToken: cancellationToken).ResponseAsync);

    public async Task<IReadOnlyList<ModuleInfo>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await CallAsync(() => _modules.ListAsync(new ListModulesRequest(), deadline: Deadline(ConnectTimeout), cancellationToken: cancellationToken).ResponseAsync)
            .ConfigureAwait(false)).Modules.Select(m => m.FromWire())];

    /// <summary>The modules the node could load by name, from its module directories (broken ones with their problem), and those directories.</summary>
    public async Task<AvailableModules> ListAvailableAsync(CancellationToken cancellationToken) =>
        (await CallAsync(() => _modules.ListAvailableAsync(new ListAvailableModulesRequest(), deadline: Deadline(ConnectTimeout), cancellationToken: cancellationToken).ResponseAsync)
            .ConfigureAwait(false)).FromWire();

    private async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Aborted)
        {
            throw new ModuleStartFailedException(ex.Status.Detail, ex);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            throw new SkeinException(ex.Status.Detail, ex);
        }
        catch (RpcException ex)
        {
            var explained = _channel.Explain(ex);
            throw new SkeinException(explained.Message.Replace("the coordinator at", $"node {Node} at", StringComparison.Ordinal), ex);
        }
    }

    public void Dispose() => _channel.Dispose();
}
