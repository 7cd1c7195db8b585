using Skein.Cluster.Client;
using Skein.Pipelines.Elements;
using Skein.Testing;

namespace Skein.Pipelines.Tests.Elements;

[Service("element-calculator")]
public interface IElementCalculator
{
    Task<double> AddAsync(double a, double b, CancellationToken cancellationToken = default);

    Task<double> DivideAsync(double a, double b, CancellationToken cancellationToken = default);
}

public sealed class ElementCalculator : IElementCalculator
{
    public Task<double> AddAsync(double a, double b, CancellationToken cancellationToken = default) => Task.FromResult(a + b);

    public Task<double> DivideAsync(double a, double b, CancellationToken cancellationToken = default) =>
        b == 0 ? throw new DivideByZeroException("b is zero") : Task.FromResult(a / b);
}

public sealed class ServiceCallTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private SkeinClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _cluster = await new TestClusterBuilder().WithNodes(1).AddService<IElementCalculator, ElementCalculator>().StartAsync(ElementRun.Ct);
        _client = await _cluster.ConnectClientAsync(cancellationToken: ElementRun.Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task A_method_is_called_by_name_with_JSON_arguments_and_its_result_is_JSON()
    {
        using var run = new ElementRun(new ClientServices(_client));

        var call = await run.RunAsync(new ServiceCall("element-calculator", "Add", "[1.5, 2]"));

        Assert.Equal("3.5", call.Result);
        Assert.Equal(["3.5"], call.Results);
    }

    [Fact]
    public async Task Arguments_from_the_port_replace_the_configured_ones()
    {
        using var run = new ElementRun(new ClientServices(_client));

        var call = await run.RunAsync(new ServiceCall("element-calculator", "Add", "[1, 1]") { Arguments = "[40, 2]" });

        Assert.Equal("42", call.Result);
    }

    [Fact]
    public async Task A_remote_failure_fails_the_element_with_the_remote_message()
    {
        using var run = new ElementRun(new ClientServices(_client));

        var failure = await run.FailsAsync(new ServiceCall("element-calculator", "Divide", "[1, 0]"));

        Assert.Contains("element-calculator.Divide failed", failure.Message, StringComparison.Ordinal);
        Assert.Contains("b is zero", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arguments_that_are_not_a_JSON_array_are_refused_before_the_call()
    {
        using var run = new ElementRun(new ClientServices(_client));

        var notJson = await run.FailsAsync(new ServiceCall("element-calculator", "Add", "[1, "));
        var notArray = await run.FailsAsync(new ServiceCall("element-calculator", "Add", "{\"a\": 1}"));

        Assert.Contains("are not JSON", notJson.Message, StringComparison.Ordinal);
        Assert.Contains("must be a JSON array", notArray.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_cluster_the_element_says_it_needs_one()
    {
        using var run = new ElementRun(services: null);

        var failure = await run.FailsAsync(new ServiceCall("element-calculator", "Add", "[1, 2]"));

        Assert.Contains("calling element-calculator.Add needs a cluster, and this run has none", failure.Message, StringComparison.Ordinal);
    }

    private sealed class ClientServices(SkeinClient client) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(SkeinClient) ? client : null;
    }
}
