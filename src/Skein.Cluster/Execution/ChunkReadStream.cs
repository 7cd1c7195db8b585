using Grpc.Core;

namespace Skein.Cluster.Execution;

/// <summary>
/// A gRPC stream of messages that each carry a chunk of one file, read as a <see cref="Stream"/> as the chunks arrive,
/// so that the artifact store hashes and writes a file without ever holding it whole. Used for uploads to the
/// coordinator and fetches from it alike.
/// </summary>
internal sealed class ChunkReadStream<T>(IAsyncStreamReader<T> messages, Func<T, ReadOnlyMemory<byte>> chunkOf, CancellationToken callCancelled) : Stream
{
    private ReadOnlyMemory<byte> _current;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_current.IsEmpty)
        {
            if (!await messages.MoveNext(callCancelled).ConfigureAwait(false)) return 0;
            _current = chunkOf(messages.Current);
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
