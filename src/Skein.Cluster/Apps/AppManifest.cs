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

/// <summary>One entry of an app's <c>depends-on</c>, with where it is written so an unknown name can be pointed at.</summary>
public sealed record AppDependency(string Name, SourceLocation? Location = null)
{
    public static implicit operator AppDependency(string name) => new(name);
}

/// <summary>One module of an app: what to load, under which name, where, with which config and arguments.</summary>
/// <param name="Name">The module's name on its node (unique there).</param>
/// <param name="Source">
/// What the node loads: a full path (<c>path:</c> in app.yaml, resolved against the app's folder) or a bare module name
/// (<c>module:</c>) that the node looks up in its module directories.
/// </param>
public sealed record AppModule(string Name, string Source)
{
    /// <summary>The node to load it on; null for the first alive node by name.</summary>
    public string? Node { get; init; }

    /// <summary>Its configuration as a JSON object, or null for none.</summary>
    public string? ConfigJson { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Where the module's entry is written in its app file.</summary>
    public SourceLocation? Location { get; init; }
}
