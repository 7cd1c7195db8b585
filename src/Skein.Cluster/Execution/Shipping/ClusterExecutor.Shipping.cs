using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Skein.Cluster.Addressing;
using Skein.Cluster.Protocol.Shipments;
using Skein.Cluster.Protocol.Tasks;
using Skein.Engine;
using Skein.Shared.Artifacts;

namespace Skein.Cluster.Execution;

// C# code on nodes: a ShippedAction's assembly folder goes to the coordinator once (content-addressed), and each
// attempt sends the node the shipment's hash, the entry to make and the request; the node's reply becomes the result.
public sealed partial class ClusterExecutor
{
    /// <summary>How long a node waits for an entry to end once its attempt is stopped, before it gives the attempt up.</summary>
    private static readonly TimeSpan EntryStopGrace = TimeSpan.FromSeconds(5);

    // Per shipment hash: its upload to the coordinator, once for this executor however many attempts ship it.
    private readonly ConcurrentDictionary<string, Lazy<Task>> _uploads = new(StringComparer.Ordinal);
    private int _uploaded;

    /// <summary>How many shipments this executor uploaded to the coordinator (not held there already), for tests and diagnostics.</summary>
    internal int ShipmentsUploaded => Volatile.Read(ref _uploaded);

    private async Task<ActionResult> RunShippedAsync(TaskAttempt attempt, ShippedAction action, IAttemptReporter reporter, CancellationToken cancellationToken)
    {
        var what = $"{action.EntryType} ({action.EntryAssembly}) from {action.Shipment.AssemblyPath}";
        ShippedEntry entry;
        try
        {
            var (sha, main) = await ShipAsync(action.Shipment, cancellationToken).ConfigureAwait(false);
            var request = await action.EncodeRequestAsync(attempt, cancellationToken).ConfigureAwait(false);
            if (request.Length > ShipmentLimits.MaxPayloadBytes)
                return ActionResult.Errored($"the request for {what} is {request.Length} bytes, over the limit of {ShipmentLimits.MaxPayloadBytes / (1024 * 1024)} MiB");
            entry = new ShippedEntry
            {
                Shipment = sha,
                MainAssembly = main,
                EntryAssembly = action.EntryAssembly,
                EntryType = action.EntryType,
                Request = ByteString.CopyFrom(request.Span),
                Store = ClusterAddress.Format(_coordinator.Address),
            };
        }
        catch (ShipmentException ex)
        {
            return ActionResult.Errored($"cannot ship {what}: {ex.Message}");
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return ActionResult.Errored($"cannot ship {what}: the coordinator did not take it: {_coordinator.Explain(ex).Message}");
        }

        var ended = await RunOnNodeAsync(attempt, (granted, attemptId) => ShippedStart(attempt, entry, granted, attemptId), reporter, cancellationToken)
            .ConfigureAwait(false);
        // Only an entry that returned has a reply; a failure, an error or a lost node is the attempt's result as it is.
        if (ended.Result.Outcome != Outcome.Passed) return ended.Result;
        return action.DecodeReply(attempt, ended.Reply);
    }

    private static RunnerRequest ShippedStart(TaskAttempt attempt, ShippedEntry entry, Granted granted, string attemptId) => new()
    {
        Start = new StartAttempt
        {
            AttemptId = attemptId,
            RunId = attempt.RunId,
            Task = attempt.TaskId,
            Attempt = attempt.Number,
            // No directory of the run's: the node gives every shipped attempt a fresh one.
            Hostname = Environment.MachineName,
            KillGraceMs = (long)EntryStopGrace.TotalMilliseconds,
            GrantId = granted.GrantId,
            Shipped = entry,
        },
    };

    /// <summary>The shipment's hash and its main assembly's path in it, once the coordinator holds it.</summary>
    private async Task<(string Sha256, string MainAssembly)> ShipAsync(AssemblyShipment shipment, CancellationToken cancellationToken)
    {
        var (sha, files) = await ShipmentCatalog.HashAsync(shipment.Directory, cancellationToken).ConfigureAwait(false);
        var main = Path.GetRelativePath(shipment.Directory, shipment.AssemblyPath).Replace(Path.DirectorySeparatorChar, '/');
        if (!files.Any(f => f.Path == main)) throw new ShipmentException($"the shipment folder {shipment.Directory} does not hold its main assembly {main}");
        var upload = _uploads.GetOrAdd(sha, key => new Lazy<Task>(() => UploadAsync(key, files, shipment)));
        try
        {
            await upload.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (upload.Value.IsFaulted)
        {
            // The next attempt tries again.
            _uploads.TryRemove(new KeyValuePair<string, Lazy<Task>>(sha, upload));
            throw;
        }
        return (sha, main);
    }

    private async Task UploadAsync(string sha, IReadOnlyList<ShipmentFile> files, AssemblyShipment shipment)
    {
        var client = new Shipments.ShipmentsClient(_coordinator.CallInvoker);
        if ((await client.HasAsync(new ShipmentId { Sha256 = sha }).ConfigureAwait(false)).Held) return;
        using var call = client.Upload();
        await call.RequestStream.WriteAsync(new ShipmentUpload { Header = new ShipmentHeader { Sha256 = sha, Name = shipment.AssemblyName } }).ConfigureAwait(false);
        string written;
        try
        {
            await using (var chunks = new ChunkWriteStream(call.RequestStream))
            {
                written = await ShipmentArchive.WriteAsync(files, chunks, CancellationToken.None).ConfigureAwait(false);
                await chunks.FlushAsync().ConfigureAwait(false);
            }
            if (written != sha) throw new ShipmentException($"the files of {shipment.Directory} changed while they were shipped (being rebuilt?); the next attempt ships them again");
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException)
        {
            // A refusal ends the call while this side still writes: the call's own status says why.
            await call.ResponseAsync.ConfigureAwait(false);
            throw;
        }
        await call.ResponseAsync.ConfigureAwait(false);
        Interlocked.Increment(ref _uploaded);
    }

    /// <summary>What the archive writer writes, sent as upload chunks of at most <see cref="ArtifactHash.ChunkBytes"/>.</summary>
    private sealed class ChunkWriteStream(IClientStreamWriter<ShipmentUpload> messages) : Stream
    {
        private readonly byte[] _buffer = new byte[ArtifactHash.ChunkBytes];
        private int _filled;

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (!buffer.IsEmpty)
            {
                var take = Math.Min(buffer.Length, _buffer.Length - _filled);
                buffer[..take].CopyTo(_buffer.AsMemory(_filled));
                _filled += take;
                buffer = buffer[take..];
                if (_filled == _buffer.Length) await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_filled == 0) return;
            await messages.WriteAsync(new ShipmentUpload { Chunk = ByteString.CopyFrom(_buffer, 0, _filled) }, cancellationToken).ConfigureAwait(false);
            _filled = 0;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>
/// The hash of each shipment folder this process shipped, kept while its files keep their sizes and times: a folder is
/// read whole once, however many attempts and executors ship it, and again only when it changed.
/// </summary>
internal static class ShipmentCatalog
{
    private const int MaxFolders = 256;

    private static readonly ConcurrentDictionary<string, (IReadOnlyList<ShipmentFile> Files, Lazy<Task<string>> Sha)> Known = new(StringComparer.Ordinal);

    /// <exception cref="ShipmentException">The folder cannot ship (see <see cref="ShipmentArchive.List"/>).</exception>
    public static async Task<(string Sha256, IReadOnlyList<ShipmentFile> Files)> HashAsync(string directory, CancellationToken cancellationToken)
    {
        var files = ShipmentArchive.List(directory);
        if (!Known.TryGetValue(directory, out var known) || !known.Files.SequenceEqual(files))
        {
            if (Known.Count >= MaxFolders) Known.Clear();
            known = Known.AddOrUpdate(directory, _ => (files, Hashing(files)), (_, old) => old.Files.SequenceEqual(files) ? old : (files, Hashing(files)));
        }
        try
        {
            return (await known.Sha.Value.WaitAsync(cancellationToken).ConfigureAwait(false), known.Files);
        }
        catch (ShipmentException)
        {
            Known.TryRemove(new KeyValuePair<string, (IReadOnlyList<ShipmentFile>, Lazy<Task<string>>)>(directory, known));
            throw;
        }
    }

    private static Lazy<Task<string>> Hashing(IReadOnlyList<ShipmentFile> files) =>
        new(() => Task.Run(() => ShipmentArchive.HashAsync(files, CancellationToken.None)));
}
