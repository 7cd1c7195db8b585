namespace Skein.Cluster.Tests.Services;

/// <summary>
/// How a client's connection hands answers to their callers: never on the thread that reads the call stream, so a
/// caller's code — even code that blocks, or throws — never holds up the answers of other calls.
/// </summary>
public sealed class AnswerDeliveryTests
{
    private static readonly TimeSpan Wait = TestPatience.Ceiling;

    [Fact]
    public async Task A_caller_that_blocks_where_its_answer_arrived_still_gets_the_answers_it_waits_for()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        await using var echo = await client.GetServiceAsync<ITestEcho>(ct);

        for (var i = 0; i < 20; i++)
        {
            var text = $"call {i}";
            // Runs on the thread that finishes the first call and blocks it until a second call over the same
            // connection is answered: had that thread been the connection's reader, the answer could never arrive.
            var chained = echo.EchoAsync(text, ct).ContinueWith(
                first => echo.EchoAsync(first.Result + " again", ct).GetAwaiter().GetResult(),
                ct, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

            Assert.Equal($"{text} again", await chained.WaitAsync(Wait, ct));
        }
    }

    [Fact]
    public async Task Many_callers_sharing_one_connection_each_get_their_own_answers_in_order()
    {
        const int callers = 32;
        const int calls = 50;
        var ct = TestContext.Current.CancellationToken;
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        var proxies = new List<ITestEcho>();
        for (var c = 0; c < callers; c++) proxies.Add(await client.GetServiceAsync<ITestEcho>(ct));

        var runs = proxies.Select((echo, c) => Task.Run(async () =>
        {
            var answers = new List<string>();
            for (var i = 0; i < calls; i++) answers.Add(await echo.EchoAsync($"{c}:{i}", ct));
            return answers;
        }, ct)).ToList();
        var all = await Task.WhenAll(runs).WaitAsync(Wait, ct);

        for (var c = 0; c < callers; c++) Assert.Equal(Enumerable.Range(0, calls).Select(i => $"{c}:{i}"), all[c]);
        foreach (var proxy in proxies) await proxy.DisposeAsync();
    }

    [Fact]
    public async Task A_caller_whose_continuation_throws_leaves_the_connection_serving_others()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        await using var echo = await client.GetServiceAsync<ITestEcho>(ct);

        var thrown = echo.EchoAsync("x", ct).ContinueWith(
            _ => throw new InvalidOperationException("the caller's own fault"),
            ct, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        await Assert.ThrowsAsync<InvalidOperationException>(() => thrown.WaitAsync(Wait, ct));
        Assert.Equal("still here", await echo.EchoAsync("still here", ct).WaitAsync(Wait, ct));
        var error = await Assert.ThrowsAsync<RemoteException>(() => echo.FailAsync("boom").WaitAsync(Wait, ct));
        Assert.Equal(RemoteErrorKind.Application, error.Kind);
        Assert.Equal("after the error", await echo.EchoAsync("after the error", ct).WaitAsync(Wait, ct));
    }
}
