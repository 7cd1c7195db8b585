namespace Skein.Modules.Manifests;

/// <summary>
/// A module given as a folder rather than a file: the folder holds a <c>module.yaml</c>, or the module's file named
/// after the folder (<c>stats/stats.py</c>, <c>greeter/Greeter.dll</c>). Turns such a request into one for the file.
/// </summary>
public static class ModuleFolder
{
    // When a folder holds several files named after it (a .NET build leaves Greeter and Greeter.dll), the assembly
    // is the module and the apphost only its launcher; a script comes next, then an executable without extension.
    private static readonly string[] PreferredExtensions = [".dll", ".py", ""];

    /// <summary>
    /// The request for the file a folder or a module.yaml stands for, with the manifest's name, loader, supervision,
    /// config and arguments under what the request says explicitly (see <see cref="ModuleManifest.ToRequest"/>). A
    /// request for a plain file comes back as it is.
    /// </summary>
    /// <exception cref="ModuleManifestException">The folder's module.yaml has problems.</exception>
    /// <exception cref="SkeinException">The folder holds neither a module.yaml nor a loadable file named after it.</exception>
    public static ModuleLoadRequest Resolve(ModuleLoadRequest request, ModuleLoaders loaders)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(loaders);
        if (IsManifest(request.Path)) return ModuleManifest.Read(request.Path).ToRequest(request);
        if (!Directory.Exists(request.Path)) return request;
        var manifest = Path.Combine(request.Path, ModuleManifest.FileName);
        if (File.Exists(manifest)) return ModuleManifest.Read(manifest).ToRequest(request);
        var entry = FindEntry(request.Path, loaders)
            ?? throw new SkeinException($"{request.Path} is a folder without a {ModuleManifest.FileName} or a module file named after it " +
                $"(such as {Path.GetFileName(request.Path)}.dll or {Path.GetFileName(request.Path)}.py)");
        // The folder names the module unless the request named it: Greeter/Greeter.dll and greeter/Greeter.dll alike.
        var name = request.NameGiven ? request.Name : Path.GetFileName(Path.TrimEndingDirectorySeparator(request.Path));
        return new ModuleLoadRequest(entry, name, request.Loader)
        {
            Node = request.Node,
            Config = request.Config,
            Arguments = request.Arguments,
            Supervision = request.Supervision,
            RequiredServices = request.RequiredServices,
            InstanceModes = request.InstanceModes,
            App = request.App,
        };
    }

    /// <summary>True when <paramref name="path"/> names a module.yaml file.</summary>
    public static bool IsManifest(string path) =>
        string.Equals(Path.GetFileName(path), ModuleManifest.FileName, StringComparison.Ordinal) && File.Exists(path);

    /// <summary>The loadable file in <paramref name="folder"/> named after it (any case), or null.</summary>
    public static string? FindEntry(string folder, ModuleLoaders loaders)
    {
        ArgumentNullException.ThrowIfNull(loaders);
        var stem = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        string[] files;
        try
        {
            files = Directory.GetFiles(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        var named = files.Where(f => string.Equals(Path.GetFileNameWithoutExtension(f), stem, StringComparison.OrdinalIgnoreCase))
            .OrderBy(Rank)
            .ThenBy(f => f, StringComparer.Ordinal);
        return named.FirstOrDefault(f => loaders.Recognise(f) is not null);
    }

    private static int Rank(string file)
    {
        var index = Array.FindIndex(PreferredExtensions, e => string.Equals(e, Path.GetExtension(file), StringComparison.OrdinalIgnoreCase));
        return index < 0 ? PreferredExtensions.Length : index;
    }
}
