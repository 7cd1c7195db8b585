using Skein.Cluster.Apps;

namespace Skein.Cluster.Tests.Apps;

public sealed class AppCatalogTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void Apps_in_their_own_folders_and_beside_each_other_are_found_by_their_names()
    {
        Write("one/app.yaml", "name: alpha\nmodules: [{ path: a.py }]\n");
        Write("beta.app.yaml", "name: beta\ndepends-on: [alpha]\n");
        Write("notes/readme.yaml", "name: ignored\n");

        var catalog = AppCatalog.Discover([_dir.Path]);

        Assert.Equal(["alpha", "beta"], catalog.Names);
        Assert.Equal(Path.Combine(_dir.Path, "one", "app.yaml"), catalog.Find("alpha")!.File);
        Assert.Empty(catalog.Invalid);
    }

    [Fact]
    public void A_named_file_brings_the_folder_holding_its_app_into_the_search_for_its_dependencies()
    {
        Write("apps/db/app.yaml", "name: db\nmodules: [{ path: db.py }]\n");
        var web = Write("apps/web/app.yaml", "name: web\ndepends-on: [db]\nmodules: [{ path: web.py }]\n");

        var catalog = AppCatalog.Discover([], web);

        Assert.Equal(["db", "web"], catalog.Names);
        Assert.Equal(Path.Combine(_dir.Path, "apps"), Assert.Single(catalog.Directories));
        Assert.Equal(["db", "web"], AppPlan.StartOrder(catalog, "web").Select(a => a.Name));
    }

    [Fact]
    public void Two_files_claiming_one_name_are_a_duplicate_that_planning_names_with_both_files()
    {
        Write("a/app.yaml", "name: same\nmodules: [{ path: a.py }]\n");
        Write("same.app.yaml", "name: same\nmodules: [{ path: b.py }]\n");

        var catalog = AppCatalog.Discover([_dir.Path]);

        var (name, files) = Assert.Single(catalog.Duplicates);
        Assert.Equal("same", name);
        Assert.Equal(2, files.Count);
        var error = Assert.Throws<AppPlanException>(() => AppPlan.StartOrder(catalog, "same"));
        Assert.Contains("app 'same' is defined by 2 files", error.Message);
        Assert.Contains(Path.Combine(_dir.Path, "a", "app.yaml"), error.Message);
        Assert.Contains(Path.Combine(_dir.Path, "same.app.yaml"), error.Message);
    }

    [Fact]
    public void A_broken_file_is_kept_with_its_problems_and_shown_when_its_app_is_needed()
    {
        Write("db/app.yaml", "name: db\nmodules:\n  - pth: db.py\n");
        Write("web/app.yaml", "name: web\ndepends-on: [db]\nmodules: [{ path: web.py }]\n");

        var catalog = AppCatalog.Discover([_dir.Path]);

        Assert.Equal("db", Assert.Single(catalog.Invalid).Name);
        var error = Assert.Throws<AppPlanException>(() => AppPlan.StartOrder(catalog, "web"));
        Assert.Contains("app 'db'", error.Message);
        Assert.Contains(error.Problems, p => p.Message.Contains("unknown key 'pth' in a module (did you mean 'path'?)") && p.Location!.Value.Line == 3);
    }

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => _dir.Dispose();
}
