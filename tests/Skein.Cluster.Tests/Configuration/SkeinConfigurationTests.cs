using System.Collections;
using Microsoft.Extensions.Configuration;
using Skein.Cluster.Configuration;
using Skein.Modules.Lifecycle;
using Skein.Cluster.Services.Hosting;

namespace Skein.Cluster.Tests.Configuration;

/// <summary>skein.yaml and SKEIN_…__… variables as configuration: keys, positions, the schema check and precedence.</summary>
public sealed class SkeinConfigurationTests : IDisposable
{
    private static readonly Hashtable NoVariables = [];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string yaml, string name = "skein.yaml")
    {
        var path = Path.Combine(_dir.Path, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml.ReplaceLineEndings("\n"));
        return path;
    }

    private static IReadOnlyList<ValidationProblem> Problems(string? path, IDictionary? variables = null) =>
        Assert.Throws<SkeinConfigurationException>(() => SkeinConfiguration.Load(path, variables ?? NoVariables)).Problems;

    [Fact]
    public void The_file_becomes_configuration_keys_under_the_Skein_section_each_remembering_where_it_was_written()
    {
        var path = Write("""
            node:
              labels:
                gpu: a100
              modules:
                - path: m.dll
                  loader: isolated
              module-dirs: []
            coordinator:
              listen: 127.0.0.1:7700
            """);
        var provider = (SkeinYamlConfigurationProvider)new ConfigurationBuilder().AddSkeinYaml(path).Build().Providers.Single();

        Assert.True(provider.TryGet("Skein:node:labels:gpu", out var gpu));
        Assert.Equal("a100", gpu);
        Assert.True(provider.TryGet("Skein:node:modules:0:path", out var module));
        Assert.Equal("m.dll", module);
        Assert.True(provider.TryGet("skein:Coordinator:Listen", out var listen)); // configuration keys ignore case
        Assert.Equal("127.0.0.1:7700", listen);
        Assert.True(provider.TryGet("Skein:node:module-dirs", out var empty)); // an empty list is still a key
        Assert.Null(empty);

        Assert.True(provider.TryGetEntry("Skein:node:labels:gpu", out var entry));
        Assert.Equal(new SourceLocation(path, 3, 5), entry.Key);
        Assert.Equal(new SourceLocation(path, 3, 10), entry.Value);
        Assert.True(provider.TryGetEntry("Skein:node:modules:0:loader", out var loader));
        Assert.Equal(6, loader.Key.Line);
    }

    [Fact]
    public void Every_node_and_coordinator_key_binds_and_relative_paths_start_at_the_files_directory()
    {
        var folder = Path.Combine(_dir.Path, "conf");
        Directory.CreateDirectory(Path.Combine(folder, "mods"));
        File.WriteAllText(Path.Combine(folder, "mods", "a.py"), "#!/usr/bin/env python3\n");
        var path = Write("""
            node:
              name: alpha
              join: 10.0.0.1:7700
              labels: { gpu: a100, zone: b }
              cores: 3
              memory: 2GiB
              listen: 0.0.0.0:7701
              modules:
                - mods/a.py
                - path: mods/a.py
                  name: second
                  loader: process
              module-dirs: [mods]
              allow-any-module-path: true
              allow-reload: false
              module-restart: transient
              module-on-failure: fail-node
              max-message-size: 1MiB
              lease-timeout: 10s
              join-timeout: 2s
              register-ceiling: 5m
              max-reconnect-delay: 500ms
            coordinator:
              listen: "*:7700"
              heartbeat-interval: 2s
              lost-after: 10s
              event-history: 50
              event-history-size: 8MiB
              max-event-size: 64KiB
            """, "conf/skein.yaml");

        var configuration = SkeinConfiguration.Load(path, NoVariables);

        var node = configuration.Node;
        Assert.Equal("alpha", node.Name);
        Assert.Equal("http://10.0.0.1:7700", node.Join);
        Assert.Equal(new Dictionary<string, string> { ["gpu"] = "a100", ["zone"] = "b" }, node.Labels);
        Assert.Equal(3, node.Cores);
        Assert.Equal(2L * 1024 * 1024 * 1024, node.MemoryBytes);
        Assert.Equal("0.0.0.0:7701", node.Listen);
        var module = Path.Combine(folder, "mods", "a.py");
        Assert.Equal([new ConfiguredModule(module), new ConfiguredModule(module, "second", "process")], node.Modules);
        Assert.Equal([Path.Combine(folder, "mods")], node.ModuleDirectories);
        Assert.True(node.AllowAnyModulePath);
        Assert.False(node.AllowReload);
        Assert.Equal(RestartMode.Transient, node.ModuleRestart);
        Assert.Equal(ModuleFailureAction.FailNode, node.ModuleOnFailure);

        var options = new NodeOptions();
        node.ApplyTo(options);
        Assert.Equal(("alpha", "http://10.0.0.1:7700", 3), (options.Name, options.Join, options.Cores));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(500)), (options.JoinTimeout, options.RegisterCeiling, options.MaxReconnectDelay));
        Assert.Equal((1024 * 1024, TimeSpan.FromSeconds(10), false), (options.MaxMessageBytes, options.LeaseTimeout, options.AllowReload));
        Assert.Equal(node.Modules, options.Modules);
        Assert.Equal(("0.0.0.0:7701", true), (options.Listen, options.AllowAnyModulePath));
        var supervision = options.Supervision()!;
        Assert.Equal((RestartMode.Transient, ModuleFailureAction.FailNode), (supervision.Restart.Mode, supervision.OnFailure));

        var coordinator = new CoordinatorOptions();
        configuration.Coordinator.ApplyTo(coordinator);
        Assert.Equal("*:7700", coordinator.Listen);
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10)), (coordinator.HeartbeatInterval, coordinator.LostAfter));
        Assert.Equal((50, 8L * 1024 * 1024, 64 * 1024), (coordinator.EventHistoryCapacity, coordinator.EventHistoryMaxBytes, coordinator.MaxEventPayloadBytes));
        coordinator.Validate();
    }

    [Fact]
    public void An_unknown_key_is_refused_by_line_and_column_with_the_key_it_was_meant_to_be()
    {
        var path = Write("""
            node:
              name: alpha
              lables:
                gpu: a100
            """);

        var problem = Assert.Single(Problems(path));

        Assert.Equal(new SourceLocation(path, 3, 3), problem.Location);
        Assert.Equal("unknown key 'node.lables' (did you mean 'labels'?)", problem.Message);
        Assert.Equal($"{path}:3:3: error: unknown key 'node.lables' (did you mean 'labels'?)", problem.ToString());
    }

    [Fact]
    public void Every_wrong_key_type_and_range_is_reported_at_once_in_file_order()
    {
        var path = Write("""
            nodes:
              name: x
            node:
              cores: many
              labels: gpu
              modules:
                path: m.dll
              allow-reload: maybe
              lease-timeout: 30
              max-message-size: 12
              module-restart: sometimes
              name:
            coordinator:
              listen: nowhere:7700
              event-history: -1
            """);

        var problems = Problems(path);

        Assert.Equal(
            [
                "1:1 unknown key 'nodes' (did you mean 'node'?)",
                "4:10 'node.cores' must be a whole number from 1 to 1000000, not 'many'",
                "5:11 'node.labels' must be a mapping such as { KEY: value }, not 'gpu'",
                "7:5 'node.modules' must be a list such as [a, b], not a mapping",
                "8:17 'node.allow-reload' must be true or false, not 'maybe'",
                "9:18 'node.lease-timeout' must be a duration such as 500ms, 30s, 5m or 1h, not '30' (did you mean '30s'?)",
                "10:21 'node.max-message-size' must be from 1KiB to 1024MiB, not '12'",
                "11:19 'node.module-restart' must be permanent, transient or temporary, not 'sometimes'",
                "12:8 'node.name' is empty; give it a value or leave the key out",
                "14:11 'coordinator.listen' must be HOST:PORT with an IP address, localhost or * as HOST (port 0 picks a free one), not 'nowhere:7700'",
                "15:18 'coordinator.event-history' must be a whole number from 0 to 10000000, not '-1'",
            ],
            problems.Select(p => $"{p.Location!.Value.Line}:{p.Location.Value.Column} {p.Message}"));
    }

    [Fact]
    public void A_module_entry_without_a_path_is_refused_where_it_is()
    {
        var path = Write("""
            node:
              modules:
                -
                - name: named-only
            """);

        var problems = Problems(path);

        Assert.Equal([(3, "'node.modules[0]' needs a 'path': the module's file or folder"), (4, "'node.modules[1]' needs a 'path': the module's file or folder")],
            problems.Select(p => (p.Location!.Value.Line, p.Message)));
    }

    [Fact]
    public void A_module_that_is_not_there_is_refused_where_it_is_named()
    {
        var path = Write("""
            node:
              modules:
                - missing.dll
            """);

        var problem = Assert.Single(Problems(path));

        Assert.Equal(3, problem.Location!.Value.Line);
        Assert.Contains("'node.modules[0]' names a module that does not exist", problem.Message);
        Assert.Contains(Path.Combine(_dir.Path, "missing.dll"), problem.Message);
    }

    [Fact]
    public void Yaml_that_cannot_be_read_and_labels_differing_only_in_case_are_refused_by_line()
    {
        var broken = Write("node:\n  name: [alpha\n", "broken.yaml");
        var syntax = Assert.Single(Problems(broken));
        Assert.StartsWith("YAML syntax error", syntax.Message);
        Assert.Equal(broken, syntax.Location!.Value.File);

        var cased = Write("node:\n  labels:\n    gpu: a\n    GPU: b\n", "cased.yaml");
        var twice = Assert.Single(Problems(cased));
        Assert.Equal(new SourceLocation(cased, 4, 5), twice.Location);
        Assert.Contains("'GPU' differs from 'gpu' only in case", twice.Message);
    }

    [Fact]
    public void A_named_file_that_is_missing_is_an_error_and_without_a_name_only_the_current_directorys_counts()
    {
        var missing = Assert.Single(Problems(Path.Combine(_dir.Path, "nope.yaml")));
        Assert.Contains("configuration file not found", missing.Message);

        Assert.Null(SkeinConfiguration.Locate(null, _dir.Path));
        Assert.Equal("other.yaml", SkeinConfiguration.Locate("other.yaml", _dir.Path));
        var here = Write("# nothing configured yet\n");
        Assert.Equal(here, SkeinConfiguration.Locate(null, _dir.Path));
        Assert.Empty(SkeinConfiguration.Load(here, NoVariables).Node.Labels); // a file of comments configures nothing
    }

    [Fact]
    public void Variables_win_over_the_file_and_the_older_single_name_variables_are_not_keys()
    {
        var path = Write("""
            node:
              cores: 2
              labels: { gpu: a100, zone: b }
              module-restart: permanent
            coordinator:
              lost-after: 5s
            """);
        var variables = new Hashtable
        {
            ["SKEIN_NODE__CORES"] = "8",
            ["SKEIN_NODE__LABELS__gpu"] = "h100",
            ["SKEIN_NODE__LABELS__rack"] = "r7",
            ["SKEIN_NODE__MODULE_RESTART"] = "transient",
            ["SKEIN_COORDINATOR__LOST_AFTER"] = "9s",
            // These keep their own meanings, and must not be read as a 'node' or 'token' key.
            ["SKEIN_NODE"] = "some-node",
            ["SKEIN_TOKEN"] = "secret",
            ["SKEIN_CLUSTER"] = "127.0.0.1:1",
            ["SKEIN_MODULE_PATH"] = "/nowhere",
            ["SKEIN_STATE"] = ".elsewhere",
            ["OTHER__NODE__CORES"] = "1",
        };

        var configuration = SkeinConfiguration.Load(path, variables);

        Assert.Equal(8, configuration.Node.Cores);
        Assert.Equal(new Dictionary<string, string> { ["gpu"] = "h100", ["zone"] = "b", ["rack"] = "r7" }, configuration.Node.Labels);
        Assert.Equal(RestartMode.Transient, configuration.Node.ModuleRestart);
        Assert.Equal(TimeSpan.FromSeconds(9), configuration.Coordinator.LostAfter);
    }

    [Fact]
    public void A_wrong_variable_is_named_and_a_wrong_value_in_the_file_counts_even_when_a_variable_overrides_it()
    {
        var path = Write("node:\n  cores: many\n");
        var variables = new Hashtable { ["SKEIN_NODE__CORES"] = "4", ["SKEIN_NODE__LABLES__gpu"] = "x", ["SKEIN_COORDINATOR__LOST_AFTER"] = "3" };

        var problems = Problems(path, variables);

        Assert.Equal(3, problems.Count);
        Assert.Equal(new SourceLocation(path, 2, 10), problems[0].Location); // file problems first, in file order
        Assert.Contains("'node.cores' must be a whole number", problems[0].Message);
        Assert.Contains(problems, p => p.Location is null && p.Message == "environment variable SKEIN_NODE__LABLES__gpu: unknown key 'node.LABLES' (did you mean 'labels'?)");
        Assert.Contains(problems, p => p.Location is null && p.Message.StartsWith("environment variable SKEIN_COORDINATOR__LOST_AFTER: 'coordinator.lost-after' must be a duration", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_file_the_variables_alone_configure()
    {
        var configuration = SkeinConfiguration.Load(null, new Hashtable { ["SKEIN_NODE__NAME"] = "from-env", ["SKEIN_NODE__ALLOW_ANY_MODULE_PATH"] = "true" });

        Assert.Equal("from-env", configuration.Node.Name);
        Assert.True(configuration.Node.AllowAnyModulePath);
        var options = new NodeOptions();
        configuration.Node.ApplyTo(options);
        Assert.Null(options.Supervision()); // nothing configured leaves the loaders' defaults
    }

    [Fact]
    public void The_example_file_holds_only_keys_and_values_the_schema_accepts()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Skein.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("the repository root was not found");
        var examples = Path.Combine(root, "examples");

        var node = SkeinConfiguration.Load(Path.Combine(examples, "skein.yaml"), NoVariables).Node;

        Assert.Equal(Path.Combine(examples, "modules", "stats"), Assert.Single(node.Modules).Path);
        Assert.Equal("lab", node.Labels["zone"]);
    }
}
