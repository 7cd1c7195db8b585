using System.Security.Cryptography;

namespace Skein.Modules;

/// <summary>A module's file as it was when loaded: where it is, how big, and its SHA-256 digest (what <c>module list</c> shows).</summary>
public sealed record ModuleFile(string Path, long Size, string Sha256)
{
    /// <summary>Reads the file once to measure and digest it. Synchronous: module files are local and small.</summary>
    /// <exception cref="SkeinException">The file does not exist or cannot be read.</exception>
    public static ModuleFile Read(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
            var digest = SHA256.HashData(stream);
            return new ModuleFile(full, stream.Length, Convert.ToHexStringLower(digest));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SkeinException($"module not found: {full}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SkeinException($"cannot read module {full}: {ex.Message}", ex);
        }
    }
}
