using System.Collections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Skein.Cluster.Configuration;
using Skein.Modules;
using Skein.Cluster.Tests.Modules;
using Skein.Cluster.Tests.Support;
using Skein.Testing;

namespace Skein.Cluster.Tests.Hosting;

/// <summary>
/// The host extensions read the Skein section of whatever configuration the application has — skein.yaml,
/// appsettings-style keys, SKEIN_…__… variables — through the schema skein.yaml is checked against: a wrong key or
/// value fails the start naming it (and for skein.yaml its file and line), and what configuration says drives the node.
/// </summary>
public sealed class HostConfigurationTests : IAsyncLifetime
{
    private static readonly Hashtable NoVariables = [];
    private readonly TempDirectory _dir = new();
    private TestCluster _cluster = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _cluster = await TestCluster.StartAsync(nodes: 0, cancellationToken: Ct);

    public async ValueTask DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _dir.Dispose();
    }

    private string WriteYaml(string yaml)
    {
        var path = Path.Combine(_dir.Path, "skein.yaml");
        File.WriteAllText(path, yaml.ReplaceLineEndings("\n"));
        return path;
    }

    [Fact]
    public async Task An_unknown_key_in_appsettings_style_configuration_fails_the_start_naming_the_key()
    {
        var builder = TestHosts.CreateNodeBuilder(_cluster.Coordinator, "node-typo");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Skein:Node:Cores"] = "2",
            ["Skein:Node:Lables:zone"] = "a",
        });
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<SkeinConfigurationException>(() => host.StartAsync(Ct));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("MemoryConfigurationProvider: unknown key 'Skein:Node:Lables' (did you mean 'labels'?)", problem.Message);
        Assert.Null(host.Services.GetRequiredService<Node>().Address); // nothing started
    }

    [Fact]
    public async Task An_unknown_key_in_skein_yaml_fails_the_start_naming_file_line_and_key()
    {
        var path = WriteYaml("""
            node:
              cores: 2
              lables: { zone: a }
            """);
        var builder = TestHosts.CreateNodeBuilder(_cluster.Coordinator, "node-yaml-typo");
        builder.Configuration.AddSkeinYaml(path);
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<SkeinConfigurationException>(() => host.StartAsync(Ct));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal(new SourceLocation(path, 3, 3), problem.Location);
        Assert.Equal("unknown key 'node.lables' (did you mean 'labels'?)", problem.Message);
    }

    [Fact]
    public void A_bad_value_is_an_error_naming_the_key_never_a_silent_default()
    {
        var builder = TestHosts.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Skein:Node:Cores"] = "lots",
            ["Skein:Coordinator:HeartbeatInterval"] = "00:00:02", // durations are written as in skein.yaml: 2s
        });
        builder.Services.AddSkeinNode();
        builder.Services.AddSkeinCoordinator();
        using var host = builder.Build();

        var ex = Assert.Throws<SkeinConfigurationException>(() => host.Services.GetRequiredService<IOptions<NodeOptions>>().Value);

        Assert.Contains(ex.Problems, p => p.Message == "MemoryConfigurationProvider: 'Skein:Node:Cores' must be a whole number from 1 to 1000000, not 'lots'");
        Assert.Contains(ex.Problems, p => p.Message.StartsWith("MemoryConfigurationProvider: 'Skein:Coordinator:HeartbeatInterval' must be a duration such as 500ms", StringComparison.Ordinal));
    }

    [Fact]
    public void The_token_and_the_client_section_are_for_hosts_and_skein_yaml_refuses_them()
    {
        var path = WriteYaml("""
            node:
              token: secret
            client:
              call-timeout: 5s
            """);
        var configuration = new ConfigurationBuilder().AddSkeinYaml(path).Build();

        var problems = Assert.Throws<SkeinConfigurationException>(() => SkeinConfiguration.Bind(configuration)).Problems;

        Assert.Equal([2, 3], problems.Select(p => p.Location!.Value.Line));
        Assert.StartsWith("'node.token' cannot be set here: the token is not read from skein.yaml", problems[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("'client' cannot be set here:", problems[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_source_is_read_the_same_way_and_the_later_wins_whatever_the_spelling()
    {
        var path = WriteYaml("""
            node:
              cores: 2
              module-restart: permanent
              labels: { zone: a }
            """);
        var builder = TestHosts.CreateBuilder();
        builder.Configuration
            .AddSkeinYaml(path)
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Skein:Node:ModuleRestart"] = "transient", // appsettings.json spells keys as properties
                ["Skein:Node:Token"] = "a-token",
                ["Skein:Node:Join"] = "127.0.0.1:7700",
                ["Skein:Node:Labels:rack"] = "r1",
            })
            .AddSkeinEnvironmentVariables(new Hashtable { ["SKEIN_NODE__CORES"] = "3" });
        builder.Services.AddSkeinNode(options => options.Name = "from-code");
        using var host = builder.Build();

        var node = host.Services.GetRequiredService<IOptions<NodeOptions>>().Value;

        Assert.Equal((3, "a-token", "from-code"), (node.Cores, node.Token, node.Name));
        Assert.Equal(Skein.Modules.Lifecycle.RestartMode.Transient, node.ModuleRestart);
        Assert.Equal(new Dictionary<string, string> { ["zone"] = "a", ["rack"] = "r1" }, node.Labels);
    }

    [Fact]
    public async Task A_node_takes_its_labels_modules_and_limits_from_configuration_through_the_host_extensions()
    {
        var path = WriteYaml($"""
            node:
              cores: 3
              labels: {"{"} zone: b, gpu: none {"}"}
              max-message-size: 64KiB
              lease-timeout: 45s
              modules:
                - path: {TestModules.GreeterV1}
                  name: greeter-from-config
            """);

        var node = await _cluster.StartNodeAsync("node-configured", host => host.Configuration.AddSkeinYaml(path), Ct);

        var member = Assert.Single(_cluster.Coordinator.Membership.List(), m => m.Name == "node-configured");
        Assert.Equal(3, member.Registration.Cores);
        Assert.Equal("b", member.Registration.Labels["zone"]);
        Assert.Equal("none", member.Registration.Labels["gpu"]);
        var module = Assert.Single(node.Modules);
        Assert.Equal("greeter-from-config", module.Name);
        Assert.Contains(member.Services, s => module.Services.Any(m => m.Name == s.Name));
        var options = _cluster.ServicesOf(node).GetRequiredService<IOptions<NodeOptions>>().Value;
        Assert.Equal((64 * 1024, TimeSpan.FromSeconds(45)), (options.MaxMessageBytes, options.LeaseTimeout));
        Assert.Equal(64 * 1024, node.Services!.Options.MaxMessageBytes);
    }
}
