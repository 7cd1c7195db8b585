namespace Skein.Bench.Modules.Workload;

/// <summary>
/// The files a run uses: the <c>skein</c> command and the modules, from the source tree, built in this program's own
/// configuration; and a temporary module directory holding the assembly module and its numbered copies.
/// </summary>
internal sealed class BenchFiles : IDisposable
{
    private const string AssemblyFile = "Skein.Examples.Services.dll";
    private readonly Dictionary<int, (string Path, IReadOnlyList<string> Services)> _copies = [];

    private BenchFiles(string skein, string original, string pythonModule, string work)
    {
        Skein = skein;
        OriginalAssembly = original;
        PythonModule = pythonModule;
        ModuleDirectory = Path.Combine(work, "modules");
        Work = work;
        Assembly = Path.Combine(ModuleDirectory, "asm", AssemblyFile);
        Directory.CreateDirectory(Path.GetDirectoryName(Assembly)!);
        File.Copy(original, Assembly);
    }

    /// <summary>The apphost of the <c>skein</c> command.</summary>
    public string Skein { get; }

    /// <summary>The example services as built (counter, echo, worker).</summary>
    public string OriginalAssembly { get; }

    /// <summary>The assembly module timed: an unchanged copy of <see cref="OriginalAssembly"/> in <see cref="ModuleDirectory"/>.</summary>
    public string Assembly { get; }

    /// <summary>examples/modules/stats/stats.py, loaded where it is: it finds the Python helper relative to itself.</summary>
    public string PythonModule { get; }

    /// <summary>Where the node may load the assembly modules from.</summary>
    public string ModuleDirectory { get; }

    private string Work { get; }

    /// <summary>The directories the node is allowed to load from.</summary>
    public IReadOnlyList<string> ModuleDirectories => [ModuleDirectory, Path.GetDirectoryName(PythonModule)!];

    public static BenchFiles Find()
    {
        var root = RepositoryRoot();
        var skein = Path.Combine(root, "src", "Skein.Cli", "bin", Configuration, "net10.0", "skein");
        var assembly = Path.Combine(root, "examples", "services", "bin", Configuration, "net10.0", AssemblyFile);
        var python = Path.Combine(root, "examples", "modules", "stats", "stats.py");
        foreach (var file in new[] { skein, assembly })
        {
            if (!File.Exists(file))
                throw new FileNotFoundException($"{file} is missing; `dotnet build -c {Configuration} bench/Skein.Bench.Modules` builds it", file);
        }
        if (!File.Exists(python)) throw new FileNotFoundException($"{python} is missing from the source tree", python);
        return new BenchFiles(skein, assembly, python, Directory.CreateTempSubdirectory("skein-bench-modules-files-").FullName);
    }

    /// <summary>Copy <paramref name="index"/> of the assembly with its services renamed (see <see cref="ModuleCopies"/>), each in a folder of its own.</summary>
    public (string Path, IReadOnlyList<string> Services) Copy(int index)
    {
        if (_copies.TryGetValue(index, out var made)) return made;
        var path = System.IO.Path.Combine(ModuleDirectory, Workload.ModuleWorkload.CopyName(index), AssemblyFile);
        made = (path, ModuleCopies.Write(OriginalAssembly, path, index));
        _copies[index] = made;
        return made;
    }

#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Skein.sln"))) return folder.FullName;
        }
        throw new DirectoryNotFoundException("Skein.sln not found above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Work, recursive: true);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"could not delete {Work}: {ex.Message}");
        }
    }
}
