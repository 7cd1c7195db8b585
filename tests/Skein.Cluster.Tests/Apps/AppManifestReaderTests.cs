using System.Text.Json;
using Skein.Cluster.Apps;

namespace Skein.Cluster.Tests.Apps;

public sealed class AppManifestReaderTests
{
    private const string File = "/apps/web/app.yaml";

    [Fact]
    public void A_full_app_file_reads_with_paths_made_absolute_against_its_folder_and_config_as_json()
    {
        var result = AppManifestReader.Parse("""
            name: web
            description: The web front end
            depends-on: [db, cache]
            modules:
              - path: bin/frontend.dll
                name: front
                node: alpha
                config:
                  port: 8080
                  ratio: 0.5
                  debug: true
                  label: '8080'
                  nothing: ~
                  hosts: [a, b]
                  nested: { depth: 2 }
                args: [--verbose, '3']
              - module: stats
              - path: ../shared/report.py
            """, File);

        Assert.Empty(result.Problems);
        var app = Assert.IsType<AppManifest>(result.Manifest);
        Assert.Equal("web", app.Name);
        Assert.Equal("The web front end", app.Description);
        Assert.Equal(["db", "cache"], app.DependsOn.Select(d => d.Name));
        Assert.Equal(new SourceLocation(File, 3, 14), app.DependsOn[0].Location);

        var front = app.Modules[0];
        Assert.Equal("front", front.Name);
        Assert.Equal("/apps/web/bin/frontend.dll", front.Source);
        Assert.Equal("alpha", front.Node);
        Assert.Equal(["--verbose", "3"], front.Arguments);
        using var config = JsonDocument.Parse(front.ConfigJson!);
        var root = config.RootElement;
        Assert.Equal(8080, root.GetProperty("port").GetInt32());
        Assert.Equal(0.5, root.GetProperty("ratio").GetDouble());
        Assert.True(root.GetProperty("debug").GetBoolean());
        Assert.Equal("8080", root.GetProperty("label").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("nothing").ValueKind);
        Assert.Equal(["a", "b"], root.GetProperty("hosts").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, root.GetProperty("nested").GetProperty("depth").GetInt32());

        Assert.Equal(("stats", "stats", null), (app.Modules[1].Name, app.Modules[1].Source, app.Modules[1].ConfigJson));
        Assert.Equal(("report", "/apps/shared/report.py"), (app.Modules[2].Name, app.Modules[2].Source));
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_its_line_and_column()
    {
        var result = AppManifestReader.Parse("""
            name: web
            depend-on: [db]
            modules:
              - path: a.py
                confg: { x: 1 }
              - module: stats
                path: b.py
              - name: lonely
              - path: a.py
              - path: c.py
                config: [1, 2]
              - path: d.py
                name: has.dot
            """, File);

        Assert.Null(result.Manifest);
        Assert.Equal("web", result.Name);
        var lines = result.Problems.Select(p => p.ToString()).ToList();
        Assert.Contains(lines, l => l.StartsWith($"{File}:2:1: error: unknown key 'depend-on' at the top level of an app (did you mean 'depends-on'?)"));
        Assert.Contains(lines, l => l.StartsWith($"{File}:5:5: error: unknown key 'confg' in a module (did you mean 'config'?)"));
        Assert.Contains(lines, l => l.StartsWith($"{File}:6:13: error: a module has either 'path' or 'module', not both"));
        Assert.Contains(lines, l => l.StartsWith($"{File}:8:5: error: a module needs 'path'"));
        Assert.Contains(lines, l => l.StartsWith($"{File}:9:5: error: two modules are named 'a' (the first at {File}:4:5)"));
        Assert.Contains(lines, l => l.StartsWith($"{File}:11:13: error: a module's 'config' must be a mapping"));
        Assert.Contains(lines, l => l.StartsWith($"{File}:13:11: error: 'has.dot' is not a usable module name"));
        Assert.Equal(7, lines.Count);
    }

    [Theory]
    [InlineData("", 1, 1, "the YAML file of an app is empty: it needs at least 'name' and 'modules'")]
    [InlineData("- a\n- b\n", 1, 1, "a YAML file of an app is a mapping with 'name' and 'modules' at the top, not a list")]
    [InlineData("modules:\n  - path: a.py\n", 1, 1, "missing 'name'")]
    [InlineData("name: web\n", 1, 1, "an app needs 'modules'")]
    [InlineData("name: web\nmodules: [{ path: a.py }\n", 3, 1, "YAML syntax error")]
    [InlineData("name: web\nname: again\nmodules: []\n", 2, 1, "duplicate key 'name'")]
    [InlineData("name: web\ndepends-on: [db, web, db]\nmodules: []\n", 2, 18, "app 'web' cannot depend on itself")]
    [InlineData("name: web\ndepends-on: [db, db]\nmodules: []\n", 2, 18, "'depends-on' names 'db' twice")]
    [InlineData("name: 'a b'\nmodules: []\n", 1, 7, "'a b' is not a usable app name")]
    [InlineData("name: web\nmodules:\n  - module: ../x/stats\n", 3, 13, "'module' is a module's name, not a path")]
    [InlineData("name: web\nmodules:\n  - stats.py\n", 3, 5, "a module is a mapping such as { path: stats.py }")]
    [InlineData("name: web\nmodules:\n  - path: a.py\n    args: --verbose\n", 4, 11, "a module's 'args' must be a list")]
    public void A_problem_names_its_position(string text, int line, int column, string message)
    {
        var result = AppManifestReader.Parse(text, File);
        Assert.Null(result.Manifest);
        Assert.Contains(result.Problems, p => p.Location is { } at && at.Line == line && at.Column == column && p.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void An_app_nested_thirty_thousand_deep_is_a_problem_at_the_first_level_too_deep()
    {
        var text = "name: web\nmodules:\n  - path: a.py\n    config: " + new string('[', 30_000) + new string(']', 30_000) + "\n";

        var result = AppManifestReader.Parse(text, File);

        Assert.Null(result.Manifest);
        var problem = Assert.Single(result.Problems);
        Assert.Contains("nested deeper than 64 levels", problem.Message);
        // The root, 'modules' and its entry are three levels; the 62nd '[' is the 65th.
        Assert.Equal(new SourceLocation(File, 4, 13 + 61), problem.Location);
    }

    [Fact]
    public void An_app_file_that_is_not_utf8_is_a_problem_at_the_bad_byte()
    {
        var dir = Path.Combine(Path.GetTempPath(), "skein-app-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var path = Path.Combine(dir, "app.yaml");
            System.IO.File.WriteAllBytes(path, [.. "name: web\nmodules:\n  - path: \u00e9"u8, 0xFF, .. ".py\n"u8]);

            var result = AppManifestReader.Load(path);

            Assert.Null(result.Manifest);
            var problem = Assert.Single(result.Problems);
            Assert.Contains("not valid UTF-8", problem.Message);
            Assert.Equal(new SourceLocation(path, 3, 12), problem.Location);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_missing_file_is_a_problem_not_an_exception()
    {
        var result = AppManifestReader.Load(Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "app.yaml"));
        Assert.Null(result.Manifest);
        Assert.Contains("file not found", Assert.Single(result.Problems).Message);
    }
}
