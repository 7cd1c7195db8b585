namespace Skein.Cluster.Modules;

/// <summary>What kind of module a file is, from its first bytes.</summary>
public static class ModuleFiles
{
    /// <summary>True for a .NET assembly (a PE file: it starts with "MZ").</summary>
    public static bool IsAssembly(string path)
    {
        if (!File.Exists(path)) throw new SkeinException($"module not found: {Path.GetFullPath(path)}");
        Span<byte> head = stackalloc byte[2];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(head, 2, throwOnEndOfStream: false) == 2 && head[0] == (byte)'M' && head[1] == (byte)'Z';
    }
}
