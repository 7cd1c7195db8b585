using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Skein.Shared.Artifacts;

/// <summary>
/// A directory of artifact content named by SHA-256: what a run stores (in one process, and on the coordinator for a
/// cluster) and what a node caches. Content arrives through a temporary file that becomes its name only once whole
/// and hashed, so no half-written file ever carries a content name; the same content is kept once.
/// </summary>
internal sealed partial class ArtifactBlobs(string directory)
{
    private const string IncomingPrefix = ".incoming-";

    public string Directory { get; } = Path.GetFullPath(directory);

    public string PathOf(string sha256) => Path.Combine(Directory, sha256);

    public bool Has(string sha256) => File.Exists(PathOf(sha256));

    /// <summary>The bytes of content stored here (what a run's budget starts from), not counting files on their way in.</summary>
    public long StoredBytes()
    {
        if (!System.IO.Directory.Exists(Directory)) return 0;
        long total = 0;
        foreach (var file in new DirectoryInfo(Directory).EnumerateFiles())
        {
            if (!file.Name.StartsWith(IncomingPrefix, StringComparison.Ordinal)) total += file.Length;
        }
        return total;
    }

    /// <summary>
    /// Stores what <paramref name="content"/> holds, read in chunks, reserving each chunk on <paramref name="budget"/>
    /// (when given) before it is written; content already here is dropped and its reservation returned.
    /// </summary>
    /// <param name="overLimit">The message when the budget refuses, given the bytes read so far.</param>
    /// <param name="expectedSha256">When given, content that hashes otherwise is refused (a fetch that went wrong).</param>
    /// <exception cref="ArtifactLimitException">The content does not fit the budget; nothing of it stays.</exception>
    public async Task<(string Sha256, long Size)> StoreAsync(Stream content, ArtifactBudget? budget, Func<long, string> overLimit,
        CancellationToken cancellationToken, string? expectedSha256 = null)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var incoming = Path.Combine(Directory, IncomingPrefix + Guid.NewGuid().ToString("N"));
        long size = 0;
        var reserved = 0L;
        var buffer = ArrayPool<byte>.Shared.Rent(ArtifactHash.ChunkBytes);
        var kept = false;
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(incoming, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous))
            {
                int read;
                while ((read = await ReadChunkAsync(content, buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (budget is not null)
                    {
                        if (!budget.TryReserve(read)) throw new ArtifactLimitException(overLimit(size + read));
                        reserved += read;
                    }
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    size += read;
                }
            }
            var sha = ArtifactHash.ToHex(hash.GetHashAndReset());
            if (expectedSha256 is not null && sha != expectedSha256)
                throw new IOException($"content {expectedSha256} arrived as {sha} ({size} bytes): it was damaged on the way");
            var final = PathOf(sha);
            if (File.Exists(final))
            {
                budget?.Release(reserved);
                reserved = 0;
                return (sha, size);
            }
            try
            {
                File.Move(incoming, final, overwrite: false);
                kept = true;
            }
            catch (IOException) when (File.Exists(final))
            {
                // Stored meanwhile by another task with the same content.
                budget?.Release(reserved);
            }
            reserved = 0;
            return (sha, size);
        }
        catch
        {
            budget?.Release(reserved);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!kept) TryDelete(incoming);
        }
    }

    /// <summary>Fills the buffer as far as the stream allows, so chunks are whole even from a stream that trickles.</summary>
    private static async Task<int> ReadChunkAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < ArtifactHash.ChunkBytes)
        {
            var read = await content.ReadAsync(buffer.AsMemory(total, ArtifactHash.ChunkBytes - total), cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            total += read;
        }
        return total;
    }

    /// <summary>
    /// Makes content stored in another directory (an earlier run's, which --resume reuses) part of this one: a hard link
    /// where the file system allows, else a copy. False when it is in none of them.
    /// </summary>
    public bool Adopt(string sha256, IEnumerable<string> otherDirectories)
    {
        if (Has(sha256)) return true;
        foreach (var other in otherDirectories)
        {
            var source = Path.Combine(other, sha256);
            if (!File.Exists(source)) continue;
            System.IO.Directory.CreateDirectory(Directory);
            var target = PathOf(sha256);
            try
            {
                if (link(source, target) == 0) return true;
                var incoming = Path.Combine(Directory, IncomingPrefix + Guid.NewGuid().ToString("N"));
                File.Copy(source, incoming);
                File.Move(incoming, target, overwrite: true);
                return true;
            }
            catch (IOException) when (File.Exists(target))
            {
                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Try the next place it may be.
            }
        }
        return false;
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind with a temporary name, which no content name can be mistaken for.
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string oldpath, string newpath);
}
