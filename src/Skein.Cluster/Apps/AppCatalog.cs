namespace Skein.Cluster.Apps;

/// <summary>
/// The apps known to one command: those found in search directories (<c>DIR/NAME/app.yaml</c> and <c>DIR/*.app.yaml</c>)
/// plus a file named explicitly, each known by its <c>name:</c>. Files that do not read are kept with their problems, and
/// two files claiming one name are kept as a duplicate, so that whoever needs that app can say what is wrong with it.
/// </summary>
public sealed class AppCatalog
{
    private readonly Dictionary<string, List<AppManifest>> _byName;
    private readonly List<AppManifestResult> _invalid;

    private AppCatalog(Dictionary<string, List<AppManifest>> byName, List<AppManifestResult> invalid, IReadOnlyList<string> directories)
    {
        _byName = byName;
        _invalid = invalid;
        Directories = directories;
    }

    /// <summary>The directories searched, in order.</summary>
    public IReadOnlyList<string> Directories { get; }

    /// <summary>Every valid app, by name (a duplicated name once, its first file).</summary>
    public IEnumerable<AppManifest> Apps => _byName.Values.Select(files => files[0]).OrderBy(a => a.Name, StringComparer.Ordinal);

    /// <summary>App files with errors.</summary>
    public IReadOnlyList<AppManifestResult> Invalid => _invalid;

    /// <summary>Names claimed by more than one file, with the files.</summary>
    public IEnumerable<(string Name, IReadOnlyList<string> Files)> Duplicates =>
        _byName.Where(e => e.Value.Count > 1).Select(e => (e.Key, (IReadOnlyList<string>)e.Value.Select(m => m.File).ToList()));

    /// <summary>A catalog of apps built in code (tests, embedding).</summary>
    public static AppCatalog Of(params IEnumerable<AppManifest> apps)
    {
        var byName = new Dictionary<string, List<AppManifest>>(StringComparer.Ordinal);
        foreach (var app in apps) Add(byName, app);
        return new AppCatalog(byName, [], []);
    }

    /// <summary>Reads every app file in <paramref name="directories"/>, and <paramref name="file"/> when given.</summary>
    /// <param name="file">An app file named explicitly; the folder holding its app is searched too, for its dependencies.</param>
    public static AppCatalog Discover(IEnumerable<string> directories, string? file = null)
    {
        var searched = new List<string>();
        var files = new List<string>();
        if (file is not null)
        {
            var full = Path.GetFullPath(file);
            files.Add(full);
            directories = directories.Append(HomeOf(full));
        }
        foreach (var directory in directories)
        {
            if (string.IsNullOrWhiteSpace(directory)) continue;
            var full = Path.GetFullPath(directory);
            if (searched.Contains(full, StringComparer.Ordinal)) continue;
            searched.Add(full);
            files.AddRange(FilesIn(full));
        }

        var byName = new Dictionary<string, List<AppManifest>>(StringComparer.Ordinal);
        var invalid = new List<AppManifestResult>();
        foreach (var path in files.Distinct(StringComparer.Ordinal))
        {
            var result = AppManifestReader.Load(path);
            if (result.Manifest is { } manifest) Add(byName, manifest);
            else invalid.Add(result);
        }
        return new AppCatalog(byName, invalid, searched);
    }

    /// <summary>
    /// The folder whose apps an app's dependencies are looked for in: the folder holding the app's own folder for
    /// <c>DIR/NAME/app.yaml</c>, the file's folder for <c>DIR/NAME.app.yaml</c> or any other file.
    /// </summary>
    public static string HomeOf(string appFile)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(appFile))!;
        return Path.GetFileName(appFile) == AppManifestReader.FileName ? Path.GetDirectoryName(folder) ?? folder : folder;
    }

    /// <summary>The app named <paramref name="name"/>, or null; <see cref="FilesNamed"/> tells a duplicate.</summary>
    public AppManifest? Find(string name) => _byName.TryGetValue(name, out var files) ? files[0] : null;

    /// <summary>Every file whose app is named <paramref name="name"/> (more than one is a duplicate).</summary>
    public IReadOnlyList<string> FilesNamed(string name) => _byName.TryGetValue(name, out var files) ? files.Select(f => f.File).ToList() : [];

    /// <summary>The invalid file whose app is named <paramref name="name"/>, if its name could be read.</summary>
    public AppManifestResult? InvalidNamed(string name) => _invalid.FirstOrDefault(r => r.Name == name);

    public IReadOnlyList<string> Names => _byName.Keys.Order(StringComparer.Ordinal).ToList();

    private static void Add(Dictionary<string, List<AppManifest>> byName, AppManifest app)
    {
        if (!byName.TryGetValue(app.Name, out var files)) byName[app.Name] = files = [];
        files.Add(app);
    }

    private static IEnumerable<string> FilesIn(string directory)
    {
        if (!Directory.Exists(directory)) return [];
        try
        {
            var own = Directory.EnumerateDirectories(directory)
                .Select(d => Path.Combine(d, AppManifestReader.FileName))
                .Where(File.Exists);
            var beside = Directory.EnumerateFiles(directory, "*" + AppManifestReader.FileSuffix);
            return own.Concat(beside).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // An unreadable folder on the search path hides only its own apps; the lookup names what it searched.
            return [];
        }
    }
}
