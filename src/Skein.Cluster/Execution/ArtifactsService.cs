using Grpc.Core;
using Google.Protobuf;
using Skein.Cluster.Protocol.Artifacts;
using Skein.Shared.Artifacts;

namespace Skein.Cluster.Execution;

/// <summary>The gRPC face of the <see cref="ArtifactVault"/> (artifacts.proto): nodes hand in what tasks collected, and fetch what their attempts receive.</summary>
internal sealed class ArtifactsService(ArtifactVault vault, PlacementLedger ledger) : Protocol.Artifacts.Artifacts.ArtifactsBase
{
    private const int MaxNameLength = 4096;

    public override async Task<ArtifactStored> Upload(IAsyncStreamReader<ArtifactUpload> requestStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct).ConfigureAwait(false) || requestStream.Current.BodyCase != ArtifactUpload.BodyOneofCase.Header)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "an upload starts with its header"));
        var header = requestStream.Current.Header;
        if (ArtifactPaths.Check(header.Path) is { } problem) throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
        if (header.Task.Length is 0 or > MaxNameLength || header.Node.Length > MaxNameLength || header.Size < 0 || header.Limit < 0 || header.RunId < 0)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "an upload names its task (at most 4096 characters), and its sizes are not negative"));

        var (blobs, budget) = vault.Run(header.RunId, header.Limit);
        if (budget.Used + header.Size > budget.Limit)
            throw new RpcException(new Status(StatusCode.ResourceExhausted, ArtifactBudget.OverLimit(header.Task, header.Path, header.Size, budget.Limit, budget.Used)));
        try
        {
            var (sha, size) = await blobs.StoreAsync(new ChunkReadStream<ArtifactUpload>(requestStream, ChunkOf, ct), budget,
                read => ArtifactBudget.OverLimit(header.Task, header.Path, Math.Max(read, header.Size), budget.Limit, budget.Used), ct).ConfigureAwait(false);
            if (header.Node.Length > 0) ledger.NoteHeld(header.Node, sha);
            return new ArtifactStored { Sha256 = sha, Size = size };
        }
        catch (ArtifactLimitException ex)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, ex.Message));
        }
        catch (InvalidDataException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }

    public override async Task Fetch(FetchArtifact request, IServerStreamWriter<ArtifactChunk> responseStream, ServerCallContext context)
    {
        if (request.Node.Length > MaxNameLength) throw new RpcException(new Status(StatusCode.InvalidArgument, "a node name is at most 4096 characters"));
        var path = vault.Find(request.RunId, request.Sha256)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"run {request.RunId} holds no artifact with content {request.Sha256}"));
        var ct = context.CancellationToken;
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan))
        {
            var buffer = new byte[ArtifactHash.ChunkBytes];
            int read;
            while ((read = await file.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                await responseStream.WriteAsync(new ArtifactChunk { Data = ByteString.CopyFrom(buffer, 0, read) }, ct).ConfigureAwait(false);
        }
        if (request.Node.Length > 0) ledger.NoteHeld(request.Node, request.Sha256);
    }

    /// <summary>An upload's chunk; anything else after its header is refused.</summary>
    private static ReadOnlyMemory<byte> ChunkOf(ArtifactUpload upload) =>
        upload.BodyCase == ArtifactUpload.BodyOneofCase.Chunk ? upload.Chunk.Memory : throw new InvalidDataException("after its header, an upload holds only chunks");
}
