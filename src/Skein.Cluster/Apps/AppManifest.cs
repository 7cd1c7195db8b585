namespace Skein.Cluster.Apps;

/// <summary>
/// An app as its <c>app.yaml</c> describes it: a name, the apps it needs running first, and its modules in the order
/// they start (they stop in the reverse order).
/// </summary>
/// <param name="Name">The app's name, by which <c>skein app start NAME</c> and other apps' <c>depends-on</c> know it.</param>
/// <param name="File">The full path of the app's file ("" for one built in code).</param>
public sealed record AppManifest(string Name, string File)
{
    public string Description { get; init; } = "";

    /// <summary>The apps that must be running before this one starts, in the order written.</summary>
    public IReadOnlyList<AppDependency> DependsOn { get; init; } = [];

    /// <summary>The modules, in start order.</summary>
    public IReadOnlyList<AppModule> Modules { get; init; } = [];

    /// <summary>The folder holding the app's file, which the file's relative module paths are relative to.</summary>
    public string Directory => File.Length == 0 ? "" : Path.GetDirectoryName(File)!;
}
