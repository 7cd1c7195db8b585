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
            var (sha, size) = await blobs.StoreAsync(new UploadStream(requestStream, ct), budget,
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

    /// <summary>An upload's chunks as a stream, read as they arrive: the content is never held whole.</summary>
    private sealed class UploadStream(IAsyncStreamReader<ArtifactUpload> requests, CancellationToken ct) : Stream
    {
        private ReadOnlyMemory<byte> _current;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_current.IsEmpty)
            {
                if (!await requests.MoveNext(ct).ConfigureAwait(false)) return 0;
                if (requests.Current.BodyCase != ArtifactUpload.BodyOneofCase.Chunk) throw new InvalidDataException("after its header, an upload holds only chunks");
                _current = requests.Current.Chunk.Memory;
            }
            var count = Math.Min(buffer.Length, _current.Length);
            _current[..count].CopyTo(buffer);
            _current = _current[count..];
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
