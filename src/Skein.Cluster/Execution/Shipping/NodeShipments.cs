using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using Grpc.Core;
using Skein.Cluster.Protocol.Shipments;
using Skein.Modules;
using Skein.Shared.Artifacts;

namespace Skein.Cluster.Execution;

/// <summary>
/// A node's shipments: each fetched once from the coordinator into <c>NODE-STATE/shipments/SHA256</c> (unpacked into a
/// temporary folder, checked against its hash, then renamed, so a folder under a shipment's name is always whole), and
/// loaded into a collectible load context of its own while attempts use it. Attempts that want a shipment being fetched
/// wait for that one fetch.
/// </summary>
internal sealed class NodeShipments(string nodeName, string directory, NodeArtifacts exchange) : IDisposable
{
    /// <summary>How many load contexts no attempt uses are kept loaded, for the next attempts; beyond, the least recently used goes.</summary>
    internal const int MaxIdleContexts = 4;

    /// <summary>Skein's own assemblies, whose types cross between the node and shipped code, come from the node (with the framework).</summary>
    private static readonly string[] Shared = ["Skein.Yaml", "Skein.Pipelines"];

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _fetching = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Sha, string Main), Loaded> _loaded = [];
    private long _uses;
    private int _fetched;
    private int _loads;
    private bool _disposed;

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>How many shipments this node fetched from the coordinator, for tests and diagnostics.</summary>
    public int Fetched => Volatile.Read(ref _fetched);

    /// <summary>How many times a shipment was loaded into a new load context, for tests and diagnostics.</summary>
    public int Loads => Volatile.Read(ref _loads);

    /// <summary>The shipment's folder here, fetched first when this node does not hold it.</summary>
    /// <exception cref="ShipmentException">It cannot be fetched or is not what it should be.</exception>
    public async Task<string> FolderAsync(string sha256, string store, CancellationToken cancellationToken)
    {
        if (!ArtifactPaths.IsSha256(sha256)) throw new ShipmentException($"'{sha256}' is not a shipment's SHA-256");
        var folder = Path.Combine(Directory, sha256);
        if (System.IO.Directory.Exists(folder)) return folder;
        var fetch = _fetching.GetOrAdd(sha256, sha => new Lazy<Task<string>>(() => FetchAsync(sha, store)));
        try
        {
            return await fetch.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (fetch.Value.IsCompleted) _fetching.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(sha256, fetch));
        }
    }

    private async Task<string> FetchAsync(string sha256, string store)
    {
        var folder = Path.Combine(Directory, sha256);
        if (System.IO.Directory.Exists(folder)) return folder;
        var incoming = Path.Combine(Directory, ".incoming-" + Guid.NewGuid().ToString("N"));
        try
        {
            var client = new Shipments.ShipmentsClient(exchange.Channel(store).CallInvoker);
            using var call = client.Fetch(new FetchShipment { Sha256 = sha256, Node = nodeName });
            await ShipmentArchive.ExtractAsync(new ChunkReadStream<ShipmentChunk>(call.ResponseStream, static chunk => chunk.Data.Memory, CancellationToken.None),
                incoming, sha256, CancellationToken.None).ConfigureAwait(false);
            try
            {
                System.IO.Directory.Move(incoming, folder);
            }
            catch (IOException) when (System.IO.Directory.Exists(folder))
            {
                // Unpacked meanwhile by another process sharing this state directory: the same content.
            }
            Interlocked.Increment(ref _fetched);
            return folder;
        }
        catch (RpcException ex)
        {
            throw new ShipmentException($"cannot fetch shipment {sha256} from the coordinator: {(ex.Status.Detail.Length > 0 ? ex.Status.Detail : ex.StatusCode.ToString())}", ex);
        }
        catch (InvalidDataException ex)
        {
            throw new ShipmentException($"shipment {sha256} from the coordinator is damaged: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new ShipmentException($"cannot unpack shipment {sha256} into {Directory}: {ex.Message}", ex);
        }
        finally
        {
            TryDelete(incoming);
        }
    }

    /// <summary>
    /// The shipment loaded, its main assembly first, for one attempt: dispose the lease when the attempt's code has
    /// ended (not before: a context is unloaded only once no code of it runs).
    /// </summary>
    /// <exception cref="ShipmentException">The main assembly is missing or cannot be loaded.</exception>
    public Lease Load(string sha256, string folder, string mainAssembly)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_loaded.TryGetValue((sha256, mainAssembly), out var loaded))
            {
                var path = ShipmentPaths.Check(mainAssembly) is null ? Path.Combine(folder, mainAssembly.Replace('/', Path.DirectorySeparatorChar)) : null;
                if (path is null || !File.Exists(path))
                    throw new ShipmentException($"the shipment {Short(sha256)} holds no main assembly '{mainAssembly}'");
                var context = AssemblyModuleLoader.CreateLoadContext($"shipment:{Short(sha256)}:{Path.GetFileNameWithoutExtension(path)}", path, Shared);
                try
                {
                    loaded = new Loaded(context, context.LoadFromAssemblyPath(path));
                }
                catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or IOException)
                {
                    context.Unload();
                    throw new ShipmentException($"{mainAssembly} of shipment {Short(sha256)} is not a .NET assembly this node can load: {ex.Message}", ex);
                }
                _loaded[(sha256, mainAssembly)] = loaded;
                Interlocked.Increment(ref _loads);
            }
            loaded.Users++;
            loaded.LastUse = ++_uses;
            return new Lease(this, loaded);
        }
    }

    private void Release(Loaded loaded)
    {
        lock (_lock)
        {
            loaded.Users--;
            if (_disposed)
            {
                if (loaded.Users == 0) loaded.Context.Unload();
                return;
            }
            var idle = _loaded.Where(l => l.Value.Users == 0).OrderBy(l => l.Value.LastUse).ToList();
            for (var i = 0; i < idle.Count - MaxIdleContexts; i++)
            {
                _loaded.Remove(idle[i].Key);
                idle[i].Value.Context.Unload();
            }
        }
    }

    /// <summary>Unloads every context no attempt uses; those in use go when their last attempt ends.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var loaded in _loaded.Values)
                if (loaded.Users == 0) loaded.Context.Unload();
            _loaded.Clear();
        }
    }

    internal static string Short(string sha256) => sha256.Length > 12 ? sha256[..12] : sha256;

    private static void TryDelete(string folder)
    {
        try
        {
            if (System.IO.Directory.Exists(folder)) System.IO.Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind under a temporary name, which no shipment's name can be mistaken for.
        }
    }

    internal sealed class Loaded(AssemblyLoadContext context, Assembly main)
    {
        public AssemblyLoadContext Context { get; } = context;
        public Assembly Main { get; } = main;
        public int Users { get; set; }
        public long LastUse { get; set; }
    }

    /// <summary>One attempt's use of a loaded shipment.</summary>
    internal sealed class Lease(NodeShipments owner, Loaded loaded) : IDisposable
    {
        private int _released;

        public AssemblyLoadContext Context => loaded.Context;

        public Assembly Main => loaded.Main;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Release(loaded);
        }
    }
}
