namespace Skein.Engine;

/// <summary>
/// A .NET assembly and the folder it runs from (its dependencies beside it, as <c>dotnet build</c> leaves them), as one
/// unit that an executor can copy to the node where a task is placed. The copy is content-addressed: a node keeps
/// each shipment once, by the SHA-256 of its files, and loads it into a load context of its own.
/// </summary>
public sealed class AssemblyShipment
{
    /// <param name="assemblyPath">The main assembly; every file of its folder (and below) travels with it.</param>
    public AssemblyShipment(string assemblyPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(assemblyPath);
        AssemblyPath = Path.GetFullPath(assemblyPath);
        Directory = Path.GetDirectoryName(AssemblyPath)!;
        AssemblyName = Path.GetFileNameWithoutExtension(AssemblyPath);
    }

    /// <summary>The main assembly's full path on this machine.</summary>
    public string AssemblyPath { get; }

    /// <summary>The folder that is shipped: the main assembly's.</summary>
    public string Directory { get; }

    /// <summary>The main assembly's simple name (its file name without <c>.dll</c>).</summary>
    public string AssemblyName { get; }

    public override string ToString() => AssemblyPath;
}
