using Skein.Modules.Manifests;

namespace Skein.Modules.Discovery;

/// <summary>
/// The modules a node can load by name: every immediate child of its module directories that is a folder with a
/// module.yaml, a folder with a loadable file named after it, or a loose loadable file. Directories are searched in
/// order and the first module of a name wins, as with <c>PATH</c>. A broken module is listed with its problem; a
/// missing or unreadable directory is simply empty.
/// </summary>
public sealed class ModuleCatalog(IEnumerable<string> directories, ModuleLoaders loaders)
{
    private readonly string[] _directories = directories.Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d))).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The directories searched, in order, as full paths.</summary>
    public IReadOnlyList<string> Directories => _directories;

    /// <summary>Looks at the directories now: modules come and go as files are copied, so nothing is cached.</summary>
    public IReadOnlyList<AvailableModule> Scan()
    {
        var found = new List<AvailableModule>();
        var byName = new Dictionary<string, AvailableModule>(StringComparer.Ordinal);
        foreach (var directory in _directories)
        {
            foreach (var child in Children(directory))
            {
                if (Describe(child) is not { } module) continue;
                if (module.Problem is null && byName.TryGetValue(module.Name, out var first))
                    module = module with { Problem = $"hidden by {first.Path}, found first under the same name" };
                else if (module.Problem is null) byName[module.Name] = module;
                found.Add(module);
            }
        }
        return found;
    }

    /// <summary>
    /// True when <paramref name="text"/> is a bare module name (<c>stats</c>) rather than a path: no directory separator,
    /// not <c>.</c> or <c>..</c>. A load given a name finds the module with <see cref="Find"/>.
    /// </summary>
    public static bool IsName(string text) =>
        !string.IsNullOrWhiteSpace(text) && text is not ("." or "..") && text.IndexOfAny(['/', Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]) < 0;

    /// <summary>The usable module named <paramref name="name"/>.</summary>
    /// <exception cref="SkeinException">None has that name, or only a broken one does (its problem is the message).</exception>
    public AvailableModule Find(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var modules = Scan();
        var usable = modules.FirstOrDefault(m => m.Problem is null && string.Equals(m.Name, name, StringComparison.Ordinal));
        if (usable is not null) return usable;
        var broken = modules.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal));
        if (broken is not null) throw new SkeinException($"module '{name}' at {broken.Path} cannot be loaded:{Environment.NewLine}{broken.Problem}");
        var searched = _directories.Length == 0 ? "there are no module directories (--module-dir DIR or SKEIN_MODULE_PATH)" : $"searched {string.Join(", ", _directories)}";
        var names = modules.Where(m => m.Problem is null).Select(m => m.Name).ToList();
        var known = names.Count == 0 ? "" : $"; available: {string.Join(", ", names)}";
        throw new SkeinException($"no module named '{name}' is available: {searched}{known}");
    }

    private static IEnumerable<string> Children(string directory)
    {
        try
        {
            return Directory.GetFileSystemEntries(directory).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>What <paramref name="path"/> offers as a module, or null when it is not one (a README, a data folder).</summary>
    private AvailableModule? Describe(string path)
    {
        if (Directory.Exists(path))
        {
            var manifest = Path.Combine(path, ModuleManifest.FileName);
            if (File.Exists(manifest)) return FromManifest(path, manifest);
            return ModuleFolder.FindEntry(path, loaders) is { } entry
                ? new AvailableModule { Name = Path.GetFileName(path), Path = path, Entry = entry, Loader = loaders.Recognise(entry)?.Name ?? "" }
                : null;
        }
        // A module.yaml lying loose in a module directory describes the directory itself, which is not a child.
        if (string.Equals(Path.GetFileName(path), ModuleManifest.FileName, StringComparison.Ordinal)) return null;
        return loaders.Recognise(path) is { } loader
            ? new AvailableModule { Name = Path.GetFileNameWithoutExtension(path), Path = path, Entry = path, Loader = loader.Name }
            : null;
    }

    private AvailableModule FromManifest(string folder, string manifestPath)
    {
        try
        {
            var manifest = ModuleManifest.Read(manifestPath);
            return new AvailableModule
            {
                Name = manifest.Name,
                Path = folder,
                Entry = manifest.Entry,
                Loader = manifest.Loader ?? loaders.Recognise(manifest.Entry)?.Name ?? "",
                Services = manifest.Services,
                Description = manifest.Description,
            };
        }
        catch (ModuleManifestException ex)
        {
            // Listed under its folder's name: the manifest's own name may be what is broken.
            return new AvailableModule { Name = Path.GetFileName(folder), Path = folder, Problem = ex.Message };
        }
    }
}
