using System.Text.Json;
using Skein.Modules.Lifecycle;
using Skein.Modules.Manifests;

namespace Skein.Cluster.Tests.Modules.Manifests;

/// <summary>Reading module.yaml: every key of a good file, and each kind of mistake with its message and position.</summary>
public sealed class ModuleManifestTests : IDisposable
{
    private readonly ManifestFolder _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void A_complete_manifest_is_read_into_every_value()
    {
        var entry = _files.Script("stats/stats.py");
        var path = _files.Write("stats/module.yaml", """
            name: stats
            entry: stats.py
            loader: process
            description: Summary statistics
            services: [stats, stats-admin]
            restart: transient
            max-restarts: 3
            within: 30s
            backoff: 200ms
            max-backoff: 2s
            on-failure: fail-node
            config:
              stdev: population
              digits: 3
              ratio: 0.5
              verbose: true
              quoted: "42"
              nested: {list: [1, x]}
              none: ~
            args: [--fast, "2"]
            """);

        var manifest = ModuleManifest.Read(path);

        Assert.Equal("stats", manifest.Name);
        Assert.Equal(entry, manifest.Entry);
        Assert.Equal(path, manifest.ManifestPath);
        Assert.Equal(Path.GetDirectoryName(path), manifest.Folder);
        Assert.Equal("process", manifest.Loader);
        Assert.Equal("Summary statistics", manifest.Description);
        Assert.Equal(["stats", "stats-admin"], manifest.Services);
        var supervision = Assert.IsType<ModuleSupervisorOptions>(manifest.Supervision);
        Assert.Equal(RestartMode.Transient, supervision.Restart.Mode);
        Assert.Equal(3, supervision.Restart.MaxRestarts);
        Assert.Equal(TimeSpan.FromSeconds(30), supervision.Restart.Within);
        Assert.Equal(TimeSpan.FromMilliseconds(200), supervision.Restart.Backoff);
        Assert.Equal(TimeSpan.FromSeconds(2), supervision.Restart.MaxBackoff);
        Assert.Equal(ModuleFailureAction.FailNode, supervision.OnFailure);
        Assert.Equal("""{"stdev":"population","digits":3,"ratio":0.5,"verbose":true,"quoted":"42","nested":{"list":[1,"x"]},"none":null}""",
            JsonSerializer.Serialize(manifest.Config));
        Assert.Equal(["--fast", "2"], manifest.Arguments);
    }

    [Fact]
    public void A_minimal_manifest_leaves_the_rest_to_the_defaults()
    {
        _files.Script("m/run.py");
        var manifest = ModuleManifest.Read(_files.Write("m/module.yaml", "name: m\nentry: run.py\n"));

        Assert.Null(manifest.Loader);
        Assert.Null(manifest.Supervision);
        Assert.Null(manifest.Config);
        Assert.Empty(manifest.Arguments);
        Assert.Empty(manifest.Services);
    }

    [Fact]
    public void Services_may_be_a_mapping_that_sets_instance_modes()
    {
        _files.Script("m/m.py");
        var manifest = ModuleManifest.Read(_files.Write("m/module.yaml", """
            name: m
            entry: m.py
            services:
              greeter:
                instance: pooled
              echo:
              counter: {instance: per-connection}
            """));

        Assert.Equal(["greeter", "echo", "counter"], manifest.Services);
        Assert.Equal(new Dictionary<string, InstanceMode> { ["greeter"] = InstanceMode.Pooled, ["counter"] = InstanceMode.PerConnection }, manifest.InstanceModes);
    }

    [Fact]
    public void On_failure_alone_keeps_the_default_restart_policy()
    {
        _files.Script("m/m.py");
        var manifest = ModuleManifest.Read(_files.Write("m/module.yaml", "name: m\nentry: m.py\non-failure: fail-node\n"));

        Assert.Equal(RestartPolicy.Default, manifest.Supervision!.Restart);
        Assert.Equal(ModuleFailureAction.FailNode, manifest.Supervision.OnFailure);
    }

    [Theory]
    [InlineData("name: m\nentry: m.py\nrestrat: transient\n", 3, 1, "unknown key 'restrat' in module.yaml (did you mean 'restart'?)")]
    [InlineData("name: m\nentry: m.py\nflavour: mint\n", 3, 1, "unknown key 'flavour' in module.yaml (expected one of: name, entry,")]
    [InlineData("name: m\nentry: m.py\nwithin: 60\n", 3, 9, "within: '60' is not a duration (did you mean 60s?)")]
    [InlineData("name: m\nentry: m.py\nbackoff: soon\n", 3, 10, "backoff: 'soon' is not a duration")]
    [InlineData("name: m\nentry: m.py\nmax-restarts: many\n", 3, 15, "max-restarts: 'many' is not a whole number of 0 or more")]
    [InlineData("name: m\nentry: m.py\nrestart: sometimes\n", 3, 10, "restart: 'sometimes' is not permanent, transient or temporary")]
    [InlineData("name: m\nentry: m.py\nbackoff: 10s\nmax-backoff: 1s\n", 4, 14, "max-backoff: 1s is shorter than backoff (10s)")]
    [InlineData("name: m\nentry: m.py\non-failure: explode\n", 3, 13, "on-failure: 'explode' is not withdraw or fail-node")]
    [InlineData("name: m\nentry: m.py\nargs: --fast\n", 3, 7, "'args' must be a list of text such as [--verbose, input.txt], not '--fast'")]
    [InlineData("name: m\nentry: m.py\nargs: [[a]]\n", 3, 8, "an entry of 'args' must be text, not a list")]
    [InlineData("name: m\nentry: m.py\nconfig: [1, 2]\n", 3, 9, "'config' must be a mapping such as { key: value }, not a list")]
    [InlineData("name: m\nentry: m.py\nservices: [[a]]\n", 3, 12, "an entry of 'services' must be a name, not a list")]
    [InlineData("name: m\nentry: m.py\nservices:\n  greeter: {instance: lots}\n", 4, 23, "'instance' of service 'greeter' in 'services' must be per-connection, singleton or pooled, not 'lots'")]
    [InlineData("name: m\nentry: m.py\nservices:\n  greeter: {instanse: singleton}\n", 4, 13, "unknown key 'instanse' of service 'greeter' in 'services' (did you mean 'instance'?)")]
    [InlineData("name: m\nentry: m.py\nservices:\n  greeter: singleton\n", 4, 12, "the options of service 'greeter' in 'services' must be a mapping such as { instance: singleton }, not 'singleton'")]
    [InlineData("name: m\nentry: m.py\ndescription: [a]\n", 3, 14, "'description' must be text, not a list")]
    [InlineData("name: m\nentry: missing.py\n", 2, 8, "entry: 'missing.py' does not exist (looked for ")]
    [InlineData("name: m\nentry: ../m.py\n", 2, 8, "entry: '../m.py' is outside the module's folder")]
    [InlineData("name: m\nentry: .\n", 2, 8, "entry: '.' is a folder; name the file to load")]
    [InlineData("entry: m.py\n", 1, 1, "'name' is required")]
    [InlineData("name: m\n", 1, 1, "'entry' is required")]
    [InlineData("name:\nentry: m.py\n", 1, 6, "'name' is empty")]
    [InlineData("name: my.module\nentry: m.py\n", 1, 7, "name: 'my.module' is not a module name")]
    [InlineData("name: m\nentry: m.py\nname: n\n", 3, 1, "duplicate key 'name': already given at ")]
    [InlineData("name: m\nentry: m.py\nconfig: {a: [1\n", 4, 1, "YAML syntax error")]
    [InlineData("- name: m\n", 1, 1, "a module.yaml is a mapping with 'name' and 'entry' at the top, not a list")]
    [InlineData("", 1, 1, "the module.yaml is empty: it needs at least 'name' and 'entry'")]
    public void A_mistake_is_reported_with_its_file_line_and_column(string yaml, int line, int column, string message)
    {
        _files.Script("m/m.py");
        var path = _files.Write("m/module.yaml", yaml);

        var error = Assert.Throws<ModuleManifestException>(() => ModuleManifest.Read(path));

        var problem = Assert.Single(error.Problems);
        Assert.Equal(new SourceLocation(path, line, column), problem.Location);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{path}:{line}:{column}: error: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_of_a_file_is_reported_at_once_in_file_order()
    {
        var path = _files.Write("m/module.yaml", "name: m\nentry: gone.py\nrestart: never\nsevrices: [a]\n");

        var error = Assert.Throws<ModuleManifestException>(() => ModuleManifest.Read(path));

        Assert.Equal([2, 3, 4], error.Problems.Select(p => p.Location!.Value.Line));
        Assert.Equal(3, error.Message.Split('\n').Length);
        Assert.Contains("did you mean 'services'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entry_that_is_a_folder_is_refused()
    {
        _files.Folder("m/bin");
        var path = _files.Write("m/module.yaml", "name: m\nentry: bin\n");

        var error = Assert.Throws<ModuleManifestException>(() => ModuleManifest.Read(path));

        Assert.Contains("entry: 'bin' is a folder; name the file to load", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_nested_thirty_thousand_deep_is_refused_at_the_first_level_too_deep()
    {
        _files.Script("deep/deep.py");
        var path = _files.Write("deep/module.yaml",
            "name: deep\nentry: deep.py\nconfig: " + string.Concat(Enumerable.Repeat("{a: ", 30_000)) + "x" + new string('}', 30_000) + "\n");

        var error = Assert.Throws<ModuleManifestException>(() => ModuleManifest.Read(path));

        var problem = Assert.Single(error.Problems);
        Assert.Contains("nested deeper than 64 levels", problem.Message, StringComparison.Ordinal);
        // The root is the first level, so the 64th '{' is the 65th.
        Assert.Equal(new SourceLocation(path, 3, 9 + 63 * 4), problem.Location);
    }

    [Fact]
    public void A_manifest_that_is_not_utf8_is_refused_with_the_position_of_the_bad_byte()
    {
        _files.Script("bytes/bytes.py");
        var path = _files.Write("bytes/module.yaml", "");
        File.WriteAllBytes(path, [.. "name: by"u8, 0xE9, .. "tes\nentry: bytes.py\n"u8]);

        var error = Assert.Throws<ModuleManifestException>(() => ModuleManifest.Read(path));

        var problem = Assert.Single(error.Problems);
        Assert.Contains("not valid UTF-8", problem.Message, StringComparison.Ordinal);
        Assert.Equal(new SourceLocation(path, 1, 9), problem.Location);
    }

    [Fact]
    public void An_unreadable_manifest_names_the_file()
    {
        var error = Assert.Throws<ModuleManifestException>(() => ModuleManifest.Read(Path.Combine(_files.Root, "none", "module.yaml")));

        // Read by the shared YAML file reader, which says what is wrong with it: here, that it is not there.
        Assert.Contains("file not found", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_files.Root, "none", "module.yaml"), error.Message, StringComparison.Ordinal);
    }
}
