using Skein.Modules;
using Skein.Modules.Discovery;
using Skein.Modules.BuiltIn;

namespace Skein.Cluster.Tests.Modules.Manifests;

/// <summary>Discovery: what a scan of module directories finds, how broken modules show, and finding one by name.</summary>
public sealed class ModuleCatalogTests : IDisposable
{
    private readonly ManifestFolder _files = new();
    private readonly ModuleLoaders _loaders = BuiltInLoaders.Create();

    public void Dispose() => _files.Dispose();

    /// <summary>
    /// first/: stats (a module.yaml), echo (echo/echo.py), loose.py, broken (a bad module.yaml), and what is not a
    /// module: a README, a data folder. second/: other.py, and a loose.py hidden by the first one.
    /// </summary>
    private (string First, string Second) TwoDirectories()
    {
        _files.Script("first/stats/stats.py");
        _files.Write("first/stats/module.yaml", "name: statistics\nentry: stats.py\nservices: [stats]\ndescription: Summary statistics\n");
        _files.Script("first/echo/echo.py");
        _files.Script("first/loose.py");
        _files.Script("first/broken/broken.py");
        _files.Write("first/broken/module.yaml", "name: broken\nentry: broken.py\nrestart: sometimes\n");
        _files.Write("first/README.md", "not a module");
        _files.Write("first/data/values.csv", "1,2,3");
        _files.Script("second/other.py");
        _files.Script("second/loose.py");
        return (Path.Combine(_files.Root, "first"), Path.Combine(_files.Root, "second"));
    }

    [Fact]
    public void A_scan_finds_manifest_folders_bare_file_folders_and_loose_files_and_lists_broken_ones_with_their_problem()
    {
        var (first, second) = TwoDirectories();

        var modules = new ModuleCatalog(ModuleSearchPath.Parse($"{first}{Path.PathSeparator}{second}"), _loaders).Scan().ToDictionary(m => m.Path);

        Assert.Equal(6, modules.Count);
        var stats = modules[Path.Combine(first, "stats")];
        Assert.Equal("statistics", stats.Name);
        Assert.Equal("process", stats.Loader);
        Assert.Equal(["stats"], stats.Services);
        Assert.Equal("Summary statistics", stats.Description);
        Assert.Equal(Path.Combine(first, "stats", "stats.py"), stats.Entry);
        Assert.Null(stats.Problem);

        var echo = modules[Path.Combine(first, "echo")];
        Assert.Equal(("echo", "process", Path.Combine(first, "echo", "echo.py")), (echo.Name, echo.Loader, echo.Entry));
        Assert.Null(echo.Problem);

        var loose = modules[Path.Combine(first, "loose.py")];
        Assert.Equal(("loose", "process"), (loose.Name, loose.Loader));
        Assert.Null(loose.Problem);

        var broken = modules[Path.Combine(first, "broken")];
        Assert.Equal("broken", broken.Name);
        Assert.Contains("module.yaml:3:10: error: restart: 'sometimes' is not permanent, transient or temporary", broken.Problem, StringComparison.Ordinal);

        Assert.Null(modules[Path.Combine(second, "other.py")].Problem);
        Assert.Contains($"hidden by {Path.Combine(first, "loose.py")}", modules[Path.Combine(second, "loose.py")].Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_gives_the_first_usable_module_of_a_name_and_explains_a_broken_or_unknown_one()
    {
        var (first, second) = TwoDirectories();
        var catalog = new ModuleCatalog([first, second], _loaders);

        Assert.Equal(Path.Combine(first, "stats"), catalog.Find("statistics").Path);
        Assert.Equal(Path.Combine(second, "other.py"), catalog.Find("other").Path);
        Assert.Equal(Path.Combine(first, "loose.py"), catalog.Find("loose").Path);

        var broken = Assert.Throws<SkeinException>(() => catalog.Find("broken"));
        Assert.Contains($"module 'broken' at {Path.Combine(first, "broken")} cannot be loaded", broken.Message, StringComparison.Ordinal);
        Assert.Contains("module.yaml:3:10", broken.Message, StringComparison.Ordinal);

        var unknown = Assert.Throws<SkeinException>(() => catalog.Find("nothing"));
        Assert.Contains($"no module named 'nothing' is available: searched {first}, {second}; available: echo, loose, statistics, other", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_directories_and_no_directories_are_simply_empty()
    {
        Assert.Empty(new ModuleCatalog([Path.Combine(_files.Root, "nowhere")], _loaders).Scan());

        var error = Assert.Throws<SkeinException>(() => new ModuleCatalog([], _loaders).Find("stats"));
        Assert.Contains("there are no module directories (--module-dir DIR or SKEIN_MODULE_PATH)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_search_path_splits_like_PATH_and_skips_empty_entries()
    {
        Assert.Equal(["/a", "/b c", "/d"], ModuleSearchPath.Parse($"/a{Path.PathSeparator}{Path.PathSeparator}/b c{Path.PathSeparator} /d "));
        Assert.Empty(ModuleSearchPath.Parse(null));
        Assert.Empty(ModuleSearchPath.Parse(" "));
    }
}
