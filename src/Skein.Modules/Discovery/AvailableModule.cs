namespace Skein.Modules.Discovery;

/// <summary>
/// A module found in a module directory, not loaded: its name, the loader it would use, where it is (a folder or a
/// loose file), the services its module.yaml declares, and the problem that keeps it from loading, if any.
/// </summary>
public sealed record AvailableModule
{
    public required string Name { get; init; }

    /// <summary>The loader its manifest names or its file would get; empty when unknown (a broken manifest).</summary>
    public string Loader { get; init; } = "";

    /// <summary>The folder or loose file that <c>skein module load</c> would be given.</summary>
    public required string Path { get; init; }

    /// <summary>The file that would be loaded; empty when unknown.</summary>
    public string Entry { get; init; } = "";

    /// <summary>The services its module.yaml declares; empty without one (what a module offers is known once it runs).</summary>
    public IReadOnlyList<string> Services { get; init; } = [];

    public string? Description { get; init; }

    /// <summary>Why it cannot be loaded (a broken module.yaml, a name already taken), or null.</summary>
    public string? Problem { get; init; }
}
