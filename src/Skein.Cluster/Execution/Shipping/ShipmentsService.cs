using Google.Protobuf;
using Grpc.Core;
using Skein.Cluster.Configuration;
using Skein.Cluster.Protocol.Shipments;
using Skein.Shared.Artifacts;

namespace Skein.Cluster.Execution;

/// <summary>
/// The coordinator's shipments (shipments.proto): each shipment's archive once, named by its SHA-256, in
/// <c>STATE/shipments</c>, whatever run ships it. Content arrives through the same store as artifacts, so only whole
/// archives that hash as they should ever carry a shipment's name.
/// </summary>
internal sealed class ShipmentStore(CoordinatorOptions options)
{
    private int _stored;

    public ArtifactBlobs Blobs { get; } = new(Path.Combine(options.StateDirectory, "shipments"));

    /// <summary>How many archives were stored here since the coordinator started, for tests and diagnostics.</summary>
    public int Stored => Volatile.Read(ref _stored);

    public void NoteStored() => Interlocked.Increment(ref _stored);
}

/// <summary>The gRPC face of the <see cref="ShipmentStore"/>: executors upload shipments, nodes fetch them.</summary>
internal sealed class ShipmentsService(ShipmentStore store) : Shipments.ShipmentsBase
{
    public override Task<ShipmentPresence> Has(ShipmentId request, ServerCallContext context) =>
        Task.FromResult(new ShipmentPresence { Held = ArtifactPaths.IsSha256(request.Sha256) && store.Blobs.Has(request.Sha256) });

    public override async Task<ShipmentStored> Upload(IAsyncStreamReader<ShipmentUpload> requestStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct).ConfigureAwait(false) || requestStream.Current.BodyCase != ShipmentUpload.BodyOneofCase.Header)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a shipment's upload starts with its header"));
        var header = requestStream.Current.Header;
        if (!ArtifactPaths.IsSha256(header.Sha256)) throw new RpcException(new Status(StatusCode.InvalidArgument, "a shipment is named by its SHA-256, 64 lower-case hex digits"));
        var name = header.Name.Length > 200 ? header.Name[..200] : header.Name;
        if (header.Size > ShipmentLimits.MaxArchiveBytes) throw new RpcException(new Status(StatusCode.ResourceExhausted, TooLarge(name, header.Size)));
        try
        {
            // The budget bounds this one upload: a shipment is not a run's, and the store keeps each once.
            var (sha, size) = await store.Blobs.StoreAsync(new ChunkReadStream<ShipmentUpload>(requestStream, ChunkOf, ct), new ArtifactBudget(ShipmentLimits.MaxArchiveBytes, 0),
                read => TooLarge(name, read), ct, expectedSha256: header.Sha256).ConfigureAwait(false);
            store.NoteStored();
            return new ShipmentStored { Sha256 = sha, Size = size };
        }
        catch (ArtifactLimitException ex)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, ex.Message));
        }
        catch (InvalidDataException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
        catch (IOException ex) when (!ct.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the shipment {name} was not kept: {ex.Message}"));
        }
    }

    public override async Task Fetch(FetchShipment request, IServerStreamWriter<ShipmentChunk> responseStream, ServerCallContext context)
    {
        if (!ArtifactPaths.IsSha256(request.Sha256) || !store.Blobs.Has(request.Sha256))
            throw new RpcException(new Status(StatusCode.NotFound, $"the coordinator holds no shipment {request.Sha256}"));
        var ct = context.CancellationToken;
        await using var file = new FileStream(store.Blobs.PathOf(request.Sha256), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1,
            FileOptions.Asynchronous | FileOptions.SequentialScan);
        var buffer = new byte[ArtifactHash.ChunkBytes];
        int read;
        while ((read = await file.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            await responseStream.WriteAsync(new ShipmentChunk { Data = ByteString.CopyFrom(buffer, 0, read) }, ct).ConfigureAwait(false);
    }

    private static string TooLarge(string name, long size) =>
        $"the shipment {name} is {size} bytes, over the limit of {ShipmentLimits.MaxArchiveBytes} bytes ({ShipmentLimits.MaxBytes / (1024 * 1024)} MiB of files)";

    private static ReadOnlyMemory<byte> ChunkOf(ShipmentUpload upload) =>
        upload.BodyCase == ShipmentUpload.BodyOneofCase.Chunk ? upload.Chunk.Memory : throw new InvalidDataException("after its header, a shipment's upload holds only chunks");
}
