using Skein.Cluster.Client;
using Skein.Cluster.Services.Client;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;

namespace Skein.Cluster.Tests.Services;

/// <summary>
/// The proxies the source generator writes for the contracts this assembly declares (it references the generator as a
/// user of the package does): they are the ones a client hands out, and behave as the reflection proxy, which still
/// serves the contracts the generator leaves alone. The rest of the proxy tests run through the generated proxies too.
/// </summary>
public sealed class GeneratedProxyTests
{
    [Fact]
    public async Task A_contract_declared_in_this_assembly_is_served_by_its_generated_proxy()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        await using var echo = await client.GetServiceAsync<ITestEcho>(TestContext.Current.CancellationToken);

        Assert.IsAssignableFrom<GeneratedServiceProxy>(echo);
        Assert.Same(typeof(GeneratedProxyTests).Assembly, echo.GetType().Assembly);
        Assert.Equal("proxy for service test-echo", echo.ToString());
        Assert.Equal("hi", await echo.EchoAsync("hi", TestContext.Current.CancellationToken));
        Assert.Equal(5, await echo.AddAsync(2, 3));
        Assert.Equal(new Point(11, 2), await echo.MoveAsync(new Point(1, 2), 10));
        Assert.Equal([1, 2, 3], await echo.CountAsync(3, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_contract_the_generator_cannot_name_is_served_by_the_reflection_proxy_the_same_way()
    {
        await using var node = await ServiceNode.StartAsync();
        node.Services.Add<IHiddenEcho, HiddenEcho>();
        await using var client = node.Client();
        var echo = await client.GetServiceAsync<IHiddenEcho>(TestContext.Current.CancellationToken);

        Assert.IsNotAssignableFrom<GeneratedServiceProxy>(echo);
        Assert.Equal("hi", await echo.EchoAsync("hi", TestContext.Current.CancellationToken));
        Assert.Equal(7, await echo.AddAsync(3, 4));
        await echo.NothingAsync();
        Assert.Equal([1, 2], await echo.CountAsync(2).ToListAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_call_that_cannot_start_fails_its_task_not_the_callers_stack()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        var echo = await client.GetServiceAsync<ITestEcho>(TestContext.Current.CancellationToken);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var call = echo.EchoAsync("never sent", cancelled.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(call.IsCanceled);

        await echo.DisposeAsync();
        var late = echo.EchoAsync("after dispose", TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => late);
    }

    [Fact]
    public async Task In_process_calls_go_through_the_generated_proxy_too()
    {
        var host = new ServiceHost("local-node");
        host.Add<ITestEcho, TestEcho>();
        await using var client = SkeinClient.ForLocalServices(host);
        await using var echo = await client.GetServiceAsync<ITestEcho>(TestContext.Current.CancellationToken);

        Assert.IsAssignableFrom<GeneratedServiceProxy>(echo);
        Assert.Equal("local", await echo.EchoAsync("local", TestContext.Current.CancellationToken));
        var error = await Assert.ThrowsAsync<RemoteException>(() => echo.FailAsync("boom"));
        Assert.Equal(RemoteErrorKind.Application, error.Kind);
    }

    [Fact]
    public async Task A_contract_the_runtime_refuses_gets_no_generated_proxy_and_the_same_refusal()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();

        // The generator leaves it alone (its proxy would not compile: the property has no implementation).
        var error = await Assert.ThrowsAsync<SkeinException>(() => client.GetServiceAsync<IWithProperty>(TestContext.Current.CancellationToken));

        Assert.Contains($"{typeof(IWithProperty).FullName}.Name is a property", error.Message, StringComparison.Ordinal);
    }

    [Service("with-property")]
    public interface IWithProperty
    {
        string Name { get; }

        Task<string> EchoAsync(string text);
    }

    // Private: no code outside this class may name it, so the generator leaves it to the reflection proxy.
    [Service("hidden-echo")]
    private interface IHiddenEcho
    {
        Task<string> EchoAsync(string text, CancellationToken cancellationToken = default);

        ValueTask<int> AddAsync(int a, int b);

        Task NothingAsync();

        IAsyncEnumerable<int> CountAsync(int count);
    }

    private sealed class HiddenEcho : IHiddenEcho
    {
        public Task<string> EchoAsync(string text, CancellationToken cancellationToken = default) => Task.FromResult(text);

        public ValueTask<int> AddAsync(int a, int b) => ValueTask.FromResult(a + b);

        public Task NothingAsync() => Task.CompletedTask;

        public async IAsyncEnumerable<int> CountAsync(int count)
        {
            for (var i = 1; i <= count; i++)
            {
                await Task.Yield();
                yield return i;
            }
        }
    }
}
