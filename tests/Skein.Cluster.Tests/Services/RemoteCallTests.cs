using System.Text;

namespace Skein.Cluster.Tests.Services;

public sealed class RemoteCallTests
{
    private static readonly TimeSpan Wait = TestPatience.Ceiling;

    [Fact]
    public async Task A_proxy_call_crosses_the_wire_and_returns_the_result()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        await using var echo = await client.GetServiceAsync<ITestEcho>(TestContext.Current.CancellationToken);

        Assert.Equal("hi", await echo.EchoAsync("hi", TestContext.Current.CancellationToken));
        Assert.Equal(5, await echo.AddAsync(2, 3));
        Assert.Equal(new Point(11, 2), await echo.MoveAsync(new Point(1, 2), 10));
    }

    [Fact]
    public async Task A_remote_exception_arrives_as_data_with_type_message_node_service_and_inner()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        await using var echo = await client.GetServiceAsync<ITestEcho>(TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<RemoteException>(() => echo.FailAsync("boom"));

        Assert.Equal(RemoteErrorKind.Application, error.Kind);
        Assert.False(error.IsRetriable);
        Assert.Equal(typeof(InvalidOperationException).FullName, error.RemoteType);
        Assert.Contains("boom", error.Message, StringComparison.Ordinal);
        Assert.Equal("node-a", error.Node);
        Assert.Equal("test-echo", error.Service);
        Assert.Equal("Fail", error.Method);
        Assert.Contains(nameof(TestEcho.FailAsync), error.RemoteStackTrace, StringComparison.Ordinal);
        var inner = Assert.IsType<RemoteException>(error.InnerException);
        Assert.Equal(typeof(ArgumentException).FullName, inner.RemoteType);
    }

    [Fact]
    public async Task Bytes_round_trip_bit_exactly_at_the_16_MiB_limit_and_larger_is_refused()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        await using var echo = await client.GetServiceAsync<ITestEcho>(TestContext.Current.CancellationToken);
        var data = new byte[16 * 1024 * 1024];
        new Random(7).NextBytes(data);

        var back = await echo.BytesAsync(data);

        Assert.True(data.AsSpan().SequenceEqual(back));
        var error = await Assert.ThrowsAsync<RemoteException>(() => echo.BytesAsync(new byte[16 * 1024 * 1024 + 1024]));
        Assert.Equal(RemoteErrorKind.MessageTooLarge, error.Kind);
        Assert.Contains("over the limit of 16 MiB", error.Message, StringComparison.Ordinal);
        Assert.Equal("hi", await echo.EchoAsync("hi", TestContext.Current.CancellationToken)); // the connection still serves
    }

    [Fact]
    public async Task A_streaming_method_yields_items_and_disposing_early_cancels_the_server()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        await using var echo = await client.GetServiceAsync<ITestEcho>(TestContext.Current.CancellationToken);

        var all = new List<int>();
        await foreach (var i in echo.CountAsync(100, TestContext.Current.CancellationToken)) all.Add(i);
        Assert.Equal(Enumerable.Range(1, 100), all);

        await foreach (var i in echo.CountAsync(int.MaxValue, TestContext.Current.CancellationToken))
        {
            if (i == 3) break;
        }
        await TestEcho.Cancelled.WaitAsync("count", Wait);
    }

    [Fact]
    public async Task Cancelling_a_call_fires_the_handlers_token_and_the_caller_sees_OperationCanceledException()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        await using var echo = await client.GetServiceAsync<ITestEcho>(TestContext.Current.CancellationToken);
        using var cancel = new CancellationTokenSource();

        var call = echo.HangAsync("cancel-me", cancel.Token);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await TestEcho.Cancelled.WaitAsync("cancel-me", Wait);
    }

    [Fact]
    public async Task A_deadline_fails_the_call_and_cancels_the_handler()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        await using var echo = await client.GetServiceAsync<ITestEcho>(TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<RemoteException>(() => echo.HangAsync("deadline", TestContext.Current.CancellationToken));

        Assert.Equal(RemoteErrorKind.DeadlineExceeded, error.Kind);
        Assert.Contains("test-echo.Hang", error.Message, StringComparison.Ordinal);
        await TestEcho.Cancelled.WaitAsync("deadline", Wait);
        // The handler's late answer (here: its cancellation) is dropped and counted, never sent.
        var until = DateTime.UtcNow + Wait;
        while (node.Services.LateRepliesDropped == 0 && DateTime.UtcNow < until) await Task.Delay(10, TestContext.Current.CancellationToken);
        Assert.Equal(1, node.Services.LateRepliesDropped);
        // The connection still serves calls; asked through a proxy with a generous deadline, since the 200 ms one is
        // what the test is about and a busy machine may take longer than that for any call.
        await using var steady = await client.GetServiceAsync<ITestEcho>(TestContext.Current.CancellationToken);
        Assert.Equal("still answering", await steady.EchoAsync("still answering", TestContext.Current.CancellationToken));
        // The node's own end of the call (its answer to the caller's cancel) came before that answer, and is no late reply.
        Assert.Equal(0, client.LateReplies);
    }

    [Fact]
    public async Task A_singleton_is_shared_by_every_proxy_and_client()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var first = node.Client();
        await using var second = node.Client();
        var a = await first.GetServiceAsync<ITestCounter>(TestContext.Current.CancellationToken);
        var b = await second.GetServiceAsync<ITestCounter>(TestContext.Current.CancellationToken);

        Assert.Equal(1, await a.IncrementAsync());
        Assert.Equal(2, await b.IncrementAsync());
        Assert.Equal(3, await a.IncrementAsync());
    }

    [Fact]
    public async Task Per_connection_objects_are_released_on_dispose_and_capacity_is_enforced()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        var before = node.Services.LiveObjects("test-echo");

        for (var i = 0; i < 50; i++)
        {
            await using var echo = await client.GetServiceAsync<ITestEcho>(TestContext.Current.CancellationToken);
            Assert.Equal(before + 1, node.Services.LiveObjects("test-echo"));
            await echo.EchoAsync("x", TestContext.Current.CancellationToken);
        }
        Assert.Equal(before, node.Services.LiveObjects("test-echo"));

        var one = await client.GetServiceAsync<ITestLimited>(TestContext.Current.CancellationToken);
        var two = await client.GetServiceAsync<ITestLimited>(TestContext.Current.CancellationToken);
        Assert.NotEqual(await one.IdAsync(), await two.IdAsync());
        var full = await Assert.ThrowsAsync<RemoteException>(() => client.GetServiceAsync<ITestLimited>(TestContext.Current.CancellationToken));
        Assert.Equal(RemoteErrorKind.CapacityReached, full.Kind);
        Assert.Contains("capacity of 2", full.Message, StringComparison.Ordinal);
        await one.DisposeAsync();
        await using var three = await client.GetServiceAsync<ITestLimited>(TestContext.Current.CancellationToken);
        await two.DisposeAsync();
    }

    [Fact]
    public async Task A_client_that_disconnects_without_disposing_has_its_objects_released_after_the_lease()
    {
        await using var node = await ServiceNode.StartAsync(options: new Skein.Cluster.Services.Hosting.ServiceHostOptions { LeaseTimeout = TimeSpan.FromMilliseconds(300) });
        var client = node.Client();
        _ = await client.GetServiceAsync<ITestLimited>(TestContext.Current.CancellationToken);
        _ = await client.GetServiceAsync<ITestLimited>(TestContext.Current.CancellationToken);
        Assert.Equal(2, node.Services.LiveObjects("test-limited"));

        await client.DisposeAsync(); // no proxy disposed: the connection just goes

        var deadline = DateTime.UtcNow + Wait;
        while (node.Services.LiveObjects("test-limited") != 0 && DateTime.UtcNow < deadline) await Task.Delay(20, TestContext.Current.CancellationToken);
        Assert.Equal(0, node.Services.LiveObjects("test-limited"));
        await using var again = node.Client();
        await using var proxy = await again.GetServiceAsync<ITestLimited>(TestContext.Current.CancellationToken); // capacity freed
    }

    [Fact]
    public async Task Sixty_four_tasks_times_a_thousand_calls_on_one_proxy_each_get_their_own_reply()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        await using var echo = await client.GetServiceAsync<ITestEcho>(TestContext.Current.CancellationToken);
        var wrong = 0;

        await Task.WhenAll(Enumerable.Range(0, 64).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 1000; i++)
            {
                var text = $"{t}:{i}";
                if (await echo.EchoAsync(text, TestContext.Current.CancellationToken) != text) Interlocked.Increment(ref wrong);
            }
        }, TestContext.Current.CancellationToken)));

        Assert.Equal(0, wrong);
    }

    [Fact]
    public async Task A_handler_that_blocks_is_moved_off_the_stream_so_other_calls_are_not_held_up()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        await using var echo = await client.GetServiceAsync<ITestEcho>(TestContext.Current.CancellationToken);
        // Seen blocking twice in a row: once could have been the JIT, or the machine.
        Assert.Equal(50, await echo.BlockAsync(50));
        Assert.Equal(50, await echo.BlockAsync(50));
        Assert.True(node.Services.Blocking.IsBlocking("test-echo", "Block"));

        var blocking = echo.BlockAsync(3000);
        var quick = echo.EchoAsync("not held up", TestContext.Current.CancellationToken);

        Assert.Same(quick, await Task.WhenAny(quick, blocking));
        Assert.Equal("not held up", await quick);
        Assert.Equal(3000, await blocking);
    }

    [Fact]
    public async Task A_handler_slow_only_at_its_first_call_is_served_on_the_streams_reader_afterwards()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        await using var echo = await client.GetServiceAsync<ITestEcho>(TestContext.Current.CancellationToken);
        Assert.Equal(50, await echo.BlockAsync(50)); // slow once, as a first call that runs the JIT is
        var counters = node.Services.Counters;
        var (onReader, onThreadPool) = (counters.OnReader, counters.OnThreadPool);

        Assert.Equal(0, await echo.BlockAsync(0));

        Assert.Equal((onReader + 1, onThreadPool), (counters.OnReader, counters.OnThreadPool));
    }

    [Fact]
    public async Task A_handler_judged_blocking_comes_back_to_the_streams_reader_once_it_is_fast_again()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        await using var echo = await client.GetServiceAsync<ITestEcho>(TestContext.Current.CancellationToken);
        Assert.Equal(50, await echo.BlockAsync(50));
        Assert.Equal(50, await echo.BlockAsync(50));
        Assert.True(node.Services.Blocking.IsBlocking("test-echo", "Block"));
        var counters = node.Services.Counters;
        var onThreadPool = counters.OnThreadPool;
        var onReader = counters.OnReader;

        // Fast calls, served on the thread pool while judged blocking, bring the method back (a busy machine may take more).
        using var patience = new CancellationTokenSource(Wait);
        while (counters.OnReader == onReader)
        {
            patience.Token.ThrowIfCancellationRequested();
            Assert.Equal(0, await echo.BlockAsync(0));
        }

        Assert.True(counters.OnThreadPool > onThreadPool, "the fast calls right after the judgement were served on the thread pool");
        Assert.False(node.Services.Blocking.IsBlocking("test-echo", "Block"));
    }

    [Fact]
    public async Task A_thousand_concurrent_calls_from_one_client_each_get_their_own_reply_once()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        await using var echo = await client.GetServiceAsync<ITestEcho>(TestContext.Current.CancellationToken);

        var replies = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => echo.EchoAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture), TestContext.Current.CancellationToken)));

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), replies);
        Assert.Equal(0, client.LateReplies);
    }

    [Fact]
    public async Task Unknown_method_and_wrong_argument_count_fail_at_once_naming_them()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();

        var unknown = await Assert.ThrowsAsync<RemoteException>(() => Drain(client.CallJsonAsync("test-echo", "Ehco", Encoding.UTF8.GetBytes("[\"hi\"]"), TestContext.Current.CancellationToken)));
        Assert.Equal(RemoteErrorKind.MethodNotFound, unknown.Kind);
        Assert.Contains("no method 'Ehco'", unknown.Message, StringComparison.Ordinal);

        var count = await Assert.ThrowsAsync<RemoteException>(() => Drain(client.CallJsonAsync("test-echo", "Echo", Encoding.UTF8.GetBytes("[\"hi\", 2]"), TestContext.Current.CancellationToken)));
        Assert.Equal(RemoteErrorKind.MethodNotFound, count.Kind);
        Assert.Contains("takes 1 argument, not 2", count.Message, StringComparison.Ordinal);

        var type = await Assert.ThrowsAsync<RemoteException>(() => Drain(client.CallJsonAsync("test-echo", "Add", Encoding.UTF8.GetBytes("[\"x\", 2]"), TestContext.Current.CancellationToken)));
        Assert.Equal(RemoteErrorKind.BadArguments, type.Kind);

        var service = await Assert.ThrowsAsync<RemoteException>(() => client.GetServiceAsync<IUnhosted>(TestContext.Current.CancellationToken));
        Assert.Equal(RemoteErrorKind.ServiceNotFound, service.Kind);
        Assert.Contains("'nowhere'", service.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_JSON_call_returns_JSON_and_streams_item_by_item()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();

        var results = await Collect(client.CallJsonAsync("test-echo", "Move", Encoding.UTF8.GetBytes("[{\"x\":1,\"y\":2}, 3]"), TestContext.Current.CancellationToken));
        Assert.Equal("{\"x\":4,\"y\":2}", Assert.Single(results));

        var items = await Collect(client.CallJsonAsync("test-echo", "Count", Encoding.UTF8.GetBytes("[3]"), TestContext.Current.CancellationToken));
        Assert.Equal(["1", "2", "3"], items);
    }

    [Fact]
    public async Task Calls_avoid_a_node_whose_connection_broke_before_the_registry_says_it_is_gone()
    {
        await using var a = await ServiceNode.StartAsync("node-a");
        var b = await ServiceNode.StartAsync("node-b");
        // The registry keeps listing node-b throughout, as the coordinator does until it declares a killed node lost.
        await using var client = ServiceNode.Client(new Skein.Cluster.Services.Client.StaticRoutes([.. a.Routes("n-1"), .. b.Routes("n-2")]));
        var ct = TestContext.Current.CancellationToken;
        for (var i = 0; i < 4; i++) await Drain(client.CallJsonAsync("test-echo", "Echo", "[\"warm\"]"u8.ToArray(), ct)); // connected to both

        await b.DisposeAsync();
        var failures = new List<RemoteException>();
        for (var i = 0; i < 20; i++)
        {
            try
            {
                Assert.Equal(["\"x\""], await Collect(client.CallJsonAsync("test-echo", "Echo", "[\"x\"]"u8.ToArray(), ct)));
            }
            catch (RemoteException ex)
            {
                failures.Add(ex);
            }
        }
        // At most the one call that found the connection broken; every later call goes to node-a.
        Assert.True(failures.Count <= 1, string.Join("\n", failures.Select(f => $"{f.Kind}: {f.Message}")));
        Assert.All(failures, f => Assert.Equal(RemoteErrorKind.NodeLost, f.Kind));
        await using var echo = await client.GetServiceAsync<ITestEcho>(ct);
        Assert.Equal("per-connection", await echo.EchoAsync("per-connection", ct));
    }

    private static async Task Drain(IAsyncEnumerable<ReadOnlyMemory<byte>> results) => await Collect(results);

    private static async Task<List<string>> Collect(IAsyncEnumerable<ReadOnlyMemory<byte>> results)
    {
        var list = new List<string>();
        await foreach (var r in results) list.Add(Encoding.UTF8.GetString(r.Span));
        return list;
    }
}

[Service("nowhere")]
public interface IUnhosted
{
    Task PingAsync();
}
