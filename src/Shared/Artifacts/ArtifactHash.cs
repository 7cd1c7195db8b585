using System.Buffers;
using System.Security.Cryptography;

namespace Skein.Shared.Artifacts;

/// <summary>SHA-256 of content read in chunks: a file of any size is never held in memory whole.</summary>
internal static class ArtifactHash
{
    /// <summary>How much is read, hashed, written or sent at a time.</summary>
    public const int ChunkBytes = 1024 * 1024;

    public static string ToHex(ReadOnlySpan<byte> digest) => Convert.ToHexStringLower(digest);

    /// <summary>The file's SHA-256, lower-case hex.</summary>
    public static async Task<string> OfFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(0, ChunkBytes), cancellationToken).ConfigureAwait(false)) > 0)
                hash.AppendData(buffer, 0, read);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return ToHex(hash.GetHashAndReset());
    }
}
