namespace Skein.Cluster.Tests.Modules.Manifests;

/// <summary>Module folders and files written into a scratch directory for one test.</summary>
internal sealed class ManifestFolder : IDisposable
{
    private readonly TempDirectory _root = new();

    public string Root => _root.Path;

    /// <summary>Writes <paramref name="content"/> to <paramref name="relative"/> under the root, creating folders; returns its full path.</summary>
    public string Write(string relative, string content)
    {
        var full = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    /// <summary>A file the process loader recognises by its extension.</summary>
    public string Script(string relative) => Write(relative, "print('a module')\n");

    /// <summary>A file the assembly loader recognises by its first bytes (not a real assembly: nothing here loads it).</summary>
    public string Assembly(string relative) => Write(relative, "MZ not really an assembly");

    public string Folder(string relative) => Directory.CreateDirectory(Path.Combine(Root, relative)).FullName;

    public void Dispose() => _root.Dispose();
}
