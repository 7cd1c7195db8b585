// The example of docs/testing.md, compiled and run here: keep the two the same.
using Skein;
using Skein.Testing;

namespace MyCompany.Greeter.Tests;

[Service("greeter")]
public interface IGreeter
{
    Task<string> GreetAsync(string name, CancellationToken cancellationToken = default);
}

public sealed class Greeter : IGreeter
{
    public Task<string> GreetAsync(string name, CancellationToken cancellationToken = default) =>
        Task.FromResult($"hello, {name}");
}

public sealed class GreeterTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async ValueTask InitializeAsync() =>
        _cluster = await new TestClusterBuilder()
            .WithNodes(2)
            .AddService<IGreeter, Greeter>()
            .StartAsync(TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task The_greeter_greets_by_name()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var client = await _cluster.ConnectClientAsync(cancellationToken: ct);

        var greeter = await client.GetServiceAsync<IGreeter>(ct);

        Assert.Equal("hello, Ada", await greeter.GreetAsync("Ada", ct));
    }

    [Fact]
    public async Task The_greeter_still_answers_when_a_node_leaves()
    {
        var ct = TestContext.Current.CancellationToken;
        await _cluster.StopNodeAsync(_cluster.Nodes[0], ct);
        await using var client = await _cluster.ConnectClientAsync(cancellationToken: ct);

        var greeter = await client.GetServiceAsync<IGreeter>(ct);

        Assert.Equal("hello, Ada", await greeter.GreetAsync("Ada", ct));
    }
}
