using System.Reflection;
using Skein.Modules;

namespace Skein.Cli.Pipelines;

/// <summary>
/// A pipeline assembly loaded into a load context of its own, as a module is: its dependencies come from its own
/// folder, Skein's assemblies from skein's, so that its <c>Pipeline</c> and elements are the types skein runs.
/// </summary>
internal sealed class PipelineAssembly
{
    /// <summary>Skein's assemblies the pipeline shares with skein besides those a module shares: the pipeline model and its elements.</summary>
    private static readonly string[] Shared = ["Skein.Yaml", "Skein.Pipelines"];

    private PipelineAssembly(string path, Assembly assembly)
    {
        Path = path;
        Assembly = assembly;
    }

    public string Path { get; }

    public Assembly Assembly { get; }

    /// <exception cref="SkeinException">The file is not a .NET assembly skein can load.</exception>
    public static PipelineAssembly Load(string path)
    {
        var name = System.IO.Path.GetFileNameWithoutExtension(path);
        var context = AssemblyModuleLoader.CreateLoadContext($"pipeline:{name}", path, Shared);
        try
        {
            return new PipelineAssembly(path, context.LoadFromAssemblyPath(path));
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or IOException)
        {
            context.Unload();
            throw new SkeinException($"{path} is not a .NET assembly skein can load: {ex.Message}", ex);
        }
    }
}
