using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Skein.Cluster.Tests.Support;
using Skein.Testing;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Tests.Hosting;

/// <summary>
/// A node composed with AddSkeinNode in a generic host, as an application composes one: its services made by the
/// container with constructor injection, per-connection scopes, options checked when the host starts.
/// </summary>
public sealed class NodeHostingTests : IAsyncLifetime
{
    private static readonly TimeSpan Ceiling = TestPatience.Ceiling;
    private TestCluster _cluster = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A coordinator alone: each test starts the node it needs.
    public async ValueTask InitializeAsync() => _cluster = await TestCluster.StartAsync(nodes: 0, cancellationToken: Ct);

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    private Task<SkeinClient> ConnectAsync() => _cluster.ConnectClientAsync(cancellationToken: Ct);

    [Fact]
    public async Task A_service_with_constructor_dependencies_is_made_by_the_container_and_called_through_a_proxy()
    {
        var logged = new RecordingLoggerProvider();
        var node = await _cluster.StartNodeAsync("node-di", host =>
        {
            host.Services
                .AddSingleton(new GreetingWords("hello"))
                .AddSkeinService<IGreeting, Greeting>();
            host.Logging.AddProvider(logged);
        }, Ct);
        await using var client = await ConnectAsync();

        var greeting = await client.GetServiceAsync<IGreeting>(Ct);

        Assert.Equal("hello, Ada, from node-di", await greeting.GreetAsync("Ada", Ct));
        Assert.Contains((typeof(Greeting).FullName!, "greeting Ada"), logged.Lines);
        Assert.Equal("node-di", node.Name);
        Assert.Contains("greeting", node.Services!.ServiceNames);
        // The node's own client, injected: calls to services of this node stay in the process.
        Assert.Same(_cluster.ServicesOf(node).GetRequiredService<SkeinClient>(), node.Client);
    }

    [Fact]
    public async Task Each_per_connection_object_has_its_own_scope_disposed_when_its_proxy_is_released()
    {
        var log = new ScopeLog();
        await _cluster.StartNodeAsync("node-scope", host => host.Services
            .AddSingleton(log)
            .AddScoped<ScopedResource>()
            .AddSkeinService<IScopedProbe, ScopedProbe>(), Ct);
        await using var client = await ConnectAsync();

        var first = await client.GetServiceAsync<IScopedProbe>(Ct);
        await using var second = await client.GetServiceAsync<IScopedProbe>(Ct);
        var firstId = await first.IdAsync();
        var secondId = await second.IdAsync();
        Assert.NotEqual(firstId, secondId); // a scope each: each object has its own scoped resource

        await first.DisposeAsync();

        await log.Disposed(firstId).WaitAsync(Ceiling, Ct);
        Assert.False(log.Disposed(secondId).IsCompleted);
        Assert.Equal(secondId, await second.IdAsync());
    }

    [Fact]
    public async Task A_bad_option_fails_the_start_with_the_options_own_message()
    {
        var builder = TestHosts.CreateNodeBuilder(_cluster.Coordinator, "node-bad", configure: options => options.Cores = 0);
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Equal("cores must be at least 1, not 0", ex.Message);
        Assert.Null(host.Services.GetRequiredService<Node>().Address); // nothing started
    }

    [Fact]
    public async Task A_bad_coordinator_option_fails_the_start_with_the_options_own_message()
    {
        using var state = new TempDirectory();
        var builder = TestHosts.CreateBuilder();
        builder.Services.AddSkeinCoordinator(options =>
        {
            options.Listen = "127.0.0.1:0";
            options.StateDirectory = state.Path;
            options.LostAfter = TimeSpan.FromSeconds(1);
        });
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Equal("lost-after (1 s) must be longer than the heartbeat interval (1 s)", ex.Message);
    }

    [Fact]
    public void Options_are_bound_from_configuration_and_what_code_sets_wins()
    {
        var builder = TestHosts.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Skein:Node:Join"] = "127.0.0.1:7700",
            ["Skein:Node:Token"] = "a-token",
            ["Skein:Node:Cores"] = "3",
            ["Skein:Node:Name"] = "from-config",
            ["Skein:Node:Labels:zone"] = "a",
            ["Skein:Coordinator:HeartbeatInterval"] = "2s",
        });
        builder.Services.AddSkeinNode(options => options.Name = "from-code");
        builder.Services.AddSkeinCoordinator();
        using var host = builder.Build();

        var node = host.Services.GetRequiredService<IOptions<NodeOptions>>().Value;
        Assert.Equal((3, "from-code", "a"), (node.Cores, node.Name, node.Labels["zone"]));
        Assert.Equal(TimeSpan.FromSeconds(2), host.Services.GetRequiredService<IOptions<CoordinatorOptions>>().Value.HeartbeatInterval);
    }

    [Fact]
    public void A_node_and_a_client_in_one_host_is_refused_naming_why()
    {
        var services = new ServiceCollection().AddSkeinNode();

        var ex = Assert.Throws<InvalidOperationException>(() => services.AddSkeinClient());

        Assert.Contains("a node has its own client", ex.Message);
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        public ConcurrentBag<(string Category, string Message)> Lines { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Recorder(RecordingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Add((category, formatter(state, exception)));
        }
    }
}
