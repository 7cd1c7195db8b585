using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Skein.Cluster.Addressing;
using Skein.Cluster.Internal;
using Skein.Cluster.Protocol.Artifacts;
using Skein.Shared.Artifacts;

namespace Skein.Cluster.Execution;

/// <summary>
/// A node's side of artifacts: what its attempts receive is fetched from the coordinator by hash, in chunks, into a
/// cache named by content (<c>NODE-STATE/artifacts</c>), so the same content is fetched once however many attempts
/// receive it; what its attempts hand on is streamed to the coordinator in chunks as it is read.
/// </summary>
internal sealed class NodeArtifacts(string nodeName, string cacheDirectory, Uri? coordinator, string token) : IDisposable
{
    private readonly ArtifactBlobs _cache = new(cacheDirectory);
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _fetching = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ClusterChannel> _channels = new(StringComparer.Ordinal);

    public string NodeName { get; } = nodeName;

    /// <summary>Where the cache is.</summary>
    public string CacheDirectory => _cache.Directory;

    /// <summary>How many artifacts were fetched from the coordinator (not found in the cache), for tests and diagnostics.</summary>
    public int Fetched => _fetched;

    private int _fetched;

    /// <summary>One attempt's view: the run whose store it reads and writes, through which coordinator.</summary>
    public Attempt For(long runId, long limit, string coordinatorAddress) => new(this, runId, limit, Channel(coordinatorAddress));

    /// <summary>The channel to the coordinator: the one the node joined, else <paramref name="fallback"/> (the address an executor sent).</summary>
    /// <exception cref="InvalidOperationException">Neither is known.</exception>
    internal ClusterChannel Channel(string fallback)
    {
        var address = coordinator ?? (fallback.Length > 0 ? ClusterAddress.Parse(fallback)
            : throw new InvalidOperationException("this node does not know the coordinator to exchange artifacts with"));
        return _channels.GetOrAdd(address.ToString(), _ => new ClusterChannel(address, token, ClusterChannel.DefaultTimeout, maxMessageBytes: 2 * ArtifactHash.ChunkBytes));
    }

    private async Task<string> FetchAsync(Protocol.Artifacts.Artifacts.ArtifactsClient client, long runId, ArtifactFile file, CancellationToken cancellationToken)
    {
        if (_cache.Has(file.Sha256)) return _cache.PathOf(file.Sha256);
        // One fetch per content at a time: attempts that want it meanwhile wait for the same one.
        var fetch = _fetching.GetOrAdd(file.Sha256, _ => new Lazy<Task<string>>(() => DownloadAsync(client, runId, file)));
        try
        {
            return await fetch.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (fetch.Value.IsCompleted) _fetching.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(file.Sha256, fetch));
        }
    }

    private async Task<string> DownloadAsync(Protocol.Artifacts.Artifacts.ArtifactsClient client, long runId, ArtifactFile file)
    {
        if (_cache.Has(file.Sha256)) return _cache.PathOf(file.Sha256);
        using var call = client.Fetch(new FetchArtifact { RunId = runId, Sha256 = file.Sha256, Node = NodeName });
        try
        {
            // Checked against its name as it lands: damaged content never enters the cache.
            await _cache.StoreAsync(new ChunkReadStream<ArtifactChunk>(call.ResponseStream, static chunk => chunk.Data.Memory, CancellationToken.None), budget: null, _ => "", CancellationToken.None, expectedSha256: file.Sha256).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw new IOException($"cannot fetch it from the coordinator: {(ex.Status.Detail.Length > 0 ? ex.Status.Detail : ex.StatusCode.ToString())}", ex);
        }
        Interlocked.Increment(ref _fetched);
        return _cache.PathOf(file.Sha256);
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values) channel.Dispose();
    }

    /// <summary>What one attempt's artifacts go through: its inputs from the cache (fetched first), its own to the coordinator.</summary>
    internal sealed class Attempt(NodeArtifacts node, long runId, long limit, ClusterChannel channel) : IArtifactSource, IArtifactSink
    {
        private readonly Protocol.Artifacts.Artifacts.ArtifactsClient _client = new(channel.CallInvoker);

        public Task<string> LocalFileAsync(ArtifactFile file, CancellationToken cancellationToken) => node.FetchAsync(_client, runId, file, cancellationToken);

        public async Task<(string Sha256, long Size)> StoreAsync(string taskId, string relativePath, Stream content, long length, CancellationToken cancellationToken)
        {
            using var call = _client.Upload(cancellationToken: cancellationToken);
            try
            {
                await call.RequestStream.WriteAsync(new ArtifactUpload
                {
                    Header = new UploadHeader { RunId = runId, Task = taskId, Path = relativePath, Size = length, Limit = limit, Node = node.NodeName },
                }, cancellationToken).ConfigureAwait(false);
                var buffer = new byte[ArtifactHash.ChunkBytes];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    await call.RequestStream.WriteAsync(new ArtifactUpload { Chunk = ByteString.CopyFrom(buffer, 0, read) }, cancellationToken).ConfigureAwait(false);
                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                var stored = await call.ResponseAsync.ConfigureAwait(false);
                return (stored.Sha256, stored.Size);
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException)
            {
                // A refusal ends the call while the node still writes: the call's own status says why.
                var status = await FinalStatusAsync(call, ex).ConfigureAwait(false);
                if (status.StatusCode == StatusCode.ResourceExhausted) throw new ArtifactLimitException(status.Detail);
                if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
                throw new IOException($"the coordinator did not take it: {(status.Detail.Length > 0 ? status.Detail : status.StatusCode.ToString())}", ex);
            }
        }

        private static async Task<Status> FinalStatusAsync(AsyncClientStreamingCall<ArtifactUpload, ArtifactStored> call, Exception failure)
        {
            try
            {
                await call.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException answer)
            {
                return answer.Status;
            }
            return failure is RpcException rpc ? rpc.Status : new Status(StatusCode.Unknown, failure.Message);
        }
    }
}
