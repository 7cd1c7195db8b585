using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Skein.Shared.Artifacts;

namespace Skein.Cluster.Execution;

/// <summary>
/// A shipment as one stream: an assembly's folder, every file below it sorted by path (ordinal, '/'-separated), each
/// as its path, an executable flag, its length and its content, after a fixed header. The same folder always gives
/// the same bytes, so the SHA-256 of the archive names the shipment: what the coordinator stores it under, what a
/// node checks what it unpacked against, and what says two runs ship the same code.
/// </summary>
internal static class ShipmentArchive
{
    /// <summary>The header: the format's name and version, then the number of files (4 bytes, little-endian).</summary>
    private static readonly byte[] Magic = "skein-shipment/1\n"u8.ToArray();

    private const byte ExecutableFlag = 1;

    /// <summary>The files of a shipment folder, sorted as the archive holds them.</summary>
    /// <exception cref="ShipmentException">The folder is missing, too large, holds too many files, a name too long, or a symlink leading out of it.</exception>
    public static IReadOnlyList<ShipmentFile> List(string directory)
    {
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root)) throw new ShipmentException($"the shipment folder {root} does not exist");
        var files = new List<ShipmentFile>();
        long total = 0;
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            IEnumerable<FileSystemInfo> entries;
            try
            {
                entries = new DirectoryInfo(current).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = false }).ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ShipmentException($"cannot read the shipment folder {current}: {ex.Message}", ex);
            }
            foreach (var entry in entries)
            {
                var relative = Path.GetRelativePath(root, entry.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (entry is DirectoryInfo dir)
                {
                    // A linked directory is not followed: it could lead anywhere, or round in a circle.
                    if (dir.LinkTarget is not null) continue;
                    pending.Push(dir.FullName);
                    continue;
                }
                var file = (FileInfo)entry;
                if (file.LinkTarget is not null)
                {
                    var target = file.ResolveLinkTarget(returnFinalTarget: true);
                    if (target is not FileInfo { Exists: true } resolved || !Inside(root, resolved.FullName))
                        throw new ShipmentException($"{file.FullName} in the shipment folder {root} is a symbolic link to {target?.FullName ?? file.LinkTarget}, outside the folder: only what is below it ships");
                    file = resolved;
                }
                if (ShipmentPaths.Check(relative) is { } problem) throw new ShipmentException($"{entry.FullName} in the shipment folder {root}: {problem}");
                if (files.Count == ShipmentLimits.MaxFiles)
                    throw new ShipmentException($"the shipment folder {root} holds more than {ShipmentLimits.MaxFiles} files; ship a folder that holds the assembly and its dependencies only");
                total += file.Length;
                if (total > ShipmentLimits.MaxBytes)
                    throw new ShipmentException($"the shipment folder {root} holds more than {ShipmentLimits.MaxBytes / (1024 * 1024)} MiB; ship a folder that holds the assembly and its dependencies only");
                var executable = !OperatingSystem.IsWindows() && (file.UnixFileMode & UnixFileMode.UserExecute) != 0;
                files.Add(new ShipmentFile(relative, file.FullName, file.Length, executable, file.LastWriteTimeUtc.Ticks));
            }
        }
        files.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path));
        return files;
    }

    private static bool Inside(string root, string path) =>
        path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Writes the archive of <paramref name="files"/> to <paramref name="output"/>, and returns its SHA-256.</summary>
    /// <exception cref="ShipmentException">A file changed size or went while it was read.</exception>
    public static async Task<string> WriteAsync(IReadOnlyList<ShipmentFile> files, Stream output, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(ArtifactHash.ChunkBytes);
        try
        {
            async Task PutAsync(ReadOnlyMemory<byte> bytes)
            {
                hash.AppendData(bytes.Span);
                await output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            }

            var count = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(count, (uint)files.Count);
            await PutAsync(Magic).ConfigureAwait(false);
            await PutAsync(count).ConfigureAwait(false);
            foreach (var file in files)
            {
                var path = Encoding.UTF8.GetBytes(file.Path);
                var header = new byte[2 + path.Length + 1 + 8];
                BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)path.Length);
                path.CopyTo(header, 2);
                header[2 + path.Length] = file.Executable ? ExecutableFlag : (byte)0;
                BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(3 + path.Length), file.Length);
                await PutAsync(header).ConfigureAwait(false);
                long written = 0;
                try
                {
                    await using var content = new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
                    int read;
                    while (written < file.Length && (read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, file.Length - written)), cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        await PutAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                        written += read;
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new ShipmentException($"cannot read {file.FullPath} to ship it: {ex.Message}", ex);
                }
                if (written != file.Length) throw new ShipmentException($"{file.FullPath} changed while it was shipped (it is being rebuilt?); try again");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return ArtifactHash.ToHex(hash.GetHashAndReset());
    }

    /// <summary>The SHA-256 of the folder's archive, without writing it anywhere.</summary>
    public static Task<string> HashAsync(IReadOnlyList<ShipmentFile> files, CancellationToken cancellationToken) => WriteAsync(files, Stream.Null, cancellationToken);

    /// <summary>
    /// Unpacks an archive into <paramref name="target"/> (created; it must not exist), checking every bound and path
    /// as it reads and the whole against <paramref name="expectedSha256"/> at the end.
    /// </summary>
    /// <exception cref="InvalidDataException">The archive is malformed, out of bounds, or is not the shipment it should be.</exception>
    public static async Task ExtractAsync(Stream input, string target, string expectedSha256, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var reader = new HashingReader(input, hash);
        Directory.CreateDirectory(target);
        var magic = await reader.ReadExactlyAsync(Magic.Length, cancellationToken).ConfigureAwait(false);
        if (!magic.AsSpan().SequenceEqual(Magic)) throw new InvalidDataException("it is not a Skein shipment archive (its header is wrong)");
        var count = BinaryPrimitives.ReadUInt32LittleEndian(await reader.ReadExactlyAsync(4, cancellationToken).ConfigureAwait(false));
        if (count > ShipmentLimits.MaxFiles) throw new InvalidDataException($"it holds {count} files, more than {ShipmentLimits.MaxFiles}");
        string? previous = null;
        long total = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(ArtifactHash.ChunkBytes);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var pathLength = BinaryPrimitives.ReadUInt16LittleEndian(await reader.ReadExactlyAsync(2, cancellationToken).ConfigureAwait(false));
                if (pathLength > ShipmentPaths.MaxPathBytes) throw new InvalidDataException($"file {i + 1} has a path of {pathLength} bytes, more than {ShipmentPaths.MaxPathBytes}");
                var path = Encoding.UTF8.GetString(await reader.ReadExactlyAsync(pathLength, cancellationToken).ConfigureAwait(false));
                if (ShipmentPaths.Check(path) is { } problem) throw new InvalidDataException(problem);
                // Strictly ascending: one form per folder, no file twice.
                if (previous is not null && string.CompareOrdinal(previous, path) >= 0) throw new InvalidDataException($"'{path}' is out of order or appears twice");
                previous = path;
                var flags = (await reader.ReadExactlyAsync(1, cancellationToken).ConfigureAwait(false))[0];
                var length = BinaryPrimitives.ReadInt64LittleEndian(await reader.ReadExactlyAsync(8, cancellationToken).ConfigureAwait(false));
                if (length < 0 || (total += length) > ShipmentLimits.MaxBytes)
                    throw new InvalidDataException($"its files come to more than {ShipmentLimits.MaxBytes / (1024 * 1024)} MiB");
                var destination = ArtifactPaths.Prepare(target, path, out var placeProblem) ?? throw new InvalidDataException(placeProblem);
                await using (var file = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous))
                {
                    var left = length;
                    while (left > 0)
                    {
                        var read = await reader.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
                        if (read == 0) throw new InvalidDataException($"it ends inside '{path}'");
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        left -= read;
                    }
                }
                if ((flags & ExecutableFlag) != 0 && !OperatingSystem.IsWindows())
                    File.SetUnixFileMode(destination, File.GetUnixFileMode(destination) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }
            if (await reader.ReadAsync(buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 0) throw new InvalidDataException("it goes on after its last file");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        var sha = ArtifactHash.ToHex(hash.GetHashAndReset());
        if (sha != expectedSha256) throw new InvalidDataException($"it hashes as {sha}, not as the shipment {expectedSha256} it should be");
    }

    /// <summary>Reads the archive, hashing every byte read.</summary>
    private sealed class HashingReader(Stream input, IncrementalHash hash)
    {
        public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            var read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            hash.AppendData(buffer.Span[..read]);
            return read;
        }

        public async ValueTask<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
        {
            var bytes = new byte[count];
            var done = 0;
            while (done < count)
            {
                var read = await ReadAsync(bytes.AsMemory(done), cancellationToken).ConfigureAwait(false);
                if (read == 0) throw new InvalidDataException("it ends early");
                done += read;
            }
            return bytes;
        }
    }
}

/// <summary>One file of a shipment: its path in the archive, where it is here, and what says whether it changed.</summary>
internal sealed record ShipmentFile(string Path, string FullPath, long Length, bool Executable, long LastWriteTicks);

/// <summary>The bounds of what ships, and of what crosses with each attempt.</summary>
internal static class ShipmentLimits
{
    public const int MaxFiles = 10_000;

    /// <summary>The most bytes of files a shipment holds.</summary>
    public const long MaxBytes = 512L * 1024 * 1024;

    /// <summary>The most bytes of an archive: its files, and their paths and lengths.</summary>
    public const long MaxArchiveBytes = MaxBytes + MaxFiles * (ShipmentPaths.MaxPathBytes + 16L) + 64;

    /// <summary>The most bytes of a shipped attempt's request, and of its reply.</summary>
    public const int MaxPayloadBytes = 64 * 1024 * 1024;

    /// <summary>What a message of the task runner may hold: a payload and the rest of its attempt's message.</summary>
    public const int MaxRunnerMessageBytes = MaxPayloadBytes + 1024 * 1024;
}

/// <summary>The relative paths of shipment files: checked where a folder is listed and where an archive is unpacked.</summary>
internal static class ShipmentPaths
{
    public const int MaxPathBytes = 4096;
    public const int MaxNameBytes = 255;

    /// <summary>What is wrong with a path of a shipment file, or null.</summary>
    public static string? Check(string path)
    {
        if (path.Length == 0) return "a shipment file has an empty path";
        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes) return $"the path '{path[..Math.Min(60, path.Length)]}…' is longer than {MaxPathBytes} bytes";
        if (path[0] == '/' || path.Contains('\\') || path.Contains('\0')) return $"the path '{path}' is not a plain relative path";
        foreach (var name in path.Split('/'))
        {
            if (name is "" or "." or "..") return $"the path '{path}' has a '{name}' part; a shipment's files lie below its folder";
            if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes) return $"the path '{path}' has a name longer than {MaxNameBytes} bytes";
        }
        return null;
    }
}

/// <summary>A shipment cannot be made or used; the message says what and where.</summary>
internal sealed class ShipmentException : Exception
{
    public ShipmentException(string message) : base(message)
    {
    }

    public ShipmentException(string message, Exception inner) : base(message, inner)
    {
    }
}
