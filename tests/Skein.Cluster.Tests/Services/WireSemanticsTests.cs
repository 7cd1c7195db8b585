using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Skein.Cluster.Protocol;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;

namespace Skein.Cluster.Tests.Services;

/// <summary>
/// What a client in another language meets on a node's call stream (docs/protocol.md): the node ends every call itself
/// — at its deadline, on a cancel — so a client with no timer of its own never hangs; answers carry the request's id;
/// an empty content type is JSON.
/// </summary>
public sealed class WireSemanticsTests
{
    private static readonly TimeSpan Wait = TestPatience.Ceiling;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_handler_that_ignores_its_token_is_answered_DeadlineExceeded_by_the_node_at_the_deadline()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var wire = RawCallStream.Open(node.Address, ServiceNode.Token);
        var request = RawCallStream.Request(1, "test-echo", "Stuck", """["deadline-raw"]""");
        request.TimeoutMs = 200;

        await wire.SendAsync(request);

        var answer = await wire.NextAsync(1);
        Assert.Equal(EnvelopeKind.Response, answer.Kind);
        Assert.Equal(EnvelopeStatus.Error, answer.Status);
        Assert.Equal(Protocol.RemoteErrorKind.DeadlineExceeded, answer.Error.Kind);
        Assert.Contains("test-echo.Stuck did not finish within its deadline of 200 ms on node node-a", answer.Error.Message, StringComparison.Ordinal);
        Assert.Equal(request.Id, answer.Id);

        // What the handler returns after the node answered is dropped and counted, never sent.
        TestEcho.Unstick("deadline-raw");
        await Until(() => node.Services.LateRepliesDropped == 1);
        await wire.SendAsync(RawCallStream.Request(2, "test-echo", "Echo", """["after"]"""));
        Assert.Equal("\"after\"", RawCallStream.Text(await wire.NextAsync(2)));
    }

    [Fact]
    public async Task A_cancel_is_answered_Cancelled_at_once_even_when_the_handler_ignores_it()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var wire = RawCallStream.Open(node.Address, ServiceNode.Token);
        var request = RawCallStream.Request(7, "test-echo", "Stuck", """["cancel-raw"]""");
        await wire.SendAsync(request);
        await TestEcho.Started.WaitAsync("cancel-raw", Wait);

        await wire.SendAsync(new Envelope { Kind = EnvelopeKind.Cancel, ConversationId = 7 });

        var answer = await wire.NextAsync(7);
        Assert.Equal(EnvelopeKind.Response, answer.Kind);
        Assert.Equal(Protocol.RemoteErrorKind.Cancelled, answer.Error.Kind);
        Assert.Equal(request.Id, answer.Id);
        TestEcho.Unstick("cancel-raw");
        await Until(() => node.Services.LateRepliesDropped == 1);
    }

    [Fact]
    public async Task A_cancel_that_overtakes_its_request_on_the_way_to_a_thread_is_answered_too()
    {
        await using var node = await ServiceNode.StartAsync();
        // Served on the thread pool, as a handler seen to block is: the cancel, read next, can come before it starts.
        node.Services.Blocking.Observe("test-echo", "Stuck", TimeSpan.FromSeconds(1));
        await using var wire = RawCallStream.Open(node.Address, ServiceNode.Token);
        var request = RawCallStream.Request(9, "test-echo", "Stuck", """["overtaken"]""");

        await wire.SendAsync(request, new Envelope { Kind = EnvelopeKind.Cancel, ConversationId = 9 });

        var answer = await wire.NextAsync(9);
        Assert.Equal(Protocol.RemoteErrorKind.Cancelled, answer.Error.Kind);
        TestEcho.Unstick("overtaken");
    }

    [Fact]
    public async Task A_cancelled_stream_ends_with_a_Cancelled_response()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var wire = RawCallStream.Open(node.Address, ServiceNode.Token);
        // A window of 1 and no credit: the node sends one item and waits, so the cancel finds the stream running.
        var request = RawCallStream.Request(3, "test-echo", "Count", "[1000000]");
        request.StreamWindow = 1;
        await wire.SendAsync(request);
        var first = await wire.NextAsync(3);
        Assert.Equal(EnvelopeKind.StreamItem, first.Kind);
        Assert.Equal(request.Id, first.Id);

        await wire.SendAsync(new Envelope { Kind = EnvelopeKind.Cancel, ConversationId = 3 });

        var end = (await wire.UntilResponseAsync(3)).Last();
        Assert.Equal(Protocol.RemoteErrorKind.Cancelled, end.Error.Kind);
        Assert.Equal(request.Id, end.Id);
    }

    [Fact]
    public async Task A_deadline_that_passed_before_the_method_could_start_is_answered_without_running_it()
    {
        // Every look at this clock moves it an hour on: by the time the node would start the method, the deadline is gone.
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromHours(1) };
        await using var provider = new ServiceCollection().AddSingleton<TimeProvider>(time).BuildServiceProvider();
        var services = new ServiceHost("node-late", null, provider);
        services.Add<ITestEcho, TestEcho>();
        await using var host = await NodeHost.StartAsync(services, ServiceNode.Token, cancellationToken: Ct);
        await using var wire = RawCallStream.Open($"127.0.0.1:{host.Address.Port}", ServiceNode.Token);
        var request = RawCallStream.Request(1, "test-echo", "Stuck", """["never-started"]""");
        request.TimeoutMs = 60_000;

        await wire.SendAsync(request);

        var answer = await wire.NextAsync(1);
        Assert.Equal(Protocol.RemoteErrorKind.DeadlineExceeded, answer.Error.Kind);
        Assert.Contains("passed before node node-late could start it", answer.Error.Message, StringComparison.Ordinal);
        Assert.False(TestEcho.Started.WaitAsync("never-started", TimeSpan.Zero).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Every_answer_carries_the_id_of_the_request_it_answers()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var wire = RawCallStream.Open(node.Address, ServiceNode.Token);
        var unary = RawCallStream.Request(1, "test-echo", "Echo", """["hi"]""");
        var stream = RawCallStream.Request(2, "test-echo", "Count", "[3]");
        var failing = RawCallStream.Request(3, "test-echo", "Fail", """["boom"]""");
        var unknown = RawCallStream.Request(4, "test-echo", "Nope", "[]");
        var open = new Envelope { Id = 99, Kind = EnvelopeKind.Open, ConversationId = 5, Service = "test-echo" };

        await wire.SendAsync(unary, stream, failing, unknown, open);

        Assert.Equal(unary.Id, (await wire.NextAsync(1)).Id);
        var items = await wire.UntilResponseAsync(2);
        Assert.Equal(4, items.Count);
        Assert.All(items, e => Assert.Equal(stream.Id, e.Id));
        Assert.Equal(failing.Id, (await wire.NextAsync(3)).Id);
        Assert.Equal(unknown.Id, (await wire.NextAsync(4)).Id);
        var opened = await wire.NextAsync(5);
        Assert.Equal(99UL, opened.Id);
        Assert.NotEqual(0UL, opened.Instance);
    }

    [Fact]
    public async Task An_empty_content_type_is_JSON_and_an_unknown_one_is_refused_naming_it()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var wire = RawCallStream.Open(node.Address, ServiceNode.Token);

        await wire.SendAsync(RawCallStream.Request(1, "test-echo", "Echo", """["plain"]""", contentType: ""),
            RawCallStream.Request(2, "test-echo", "Echo", """["plain"]""", contentType: "text/plain"));

        var json = await wire.NextAsync(1);
        Assert.Equal(EnvelopeStatus.Ok, json.Status);
        Assert.Equal("application/json", json.ContentType);
        Assert.Equal("\"plain\"", RawCallStream.Text(json));
        var refused = await wire.NextAsync(2);
        Assert.Equal(Protocol.RemoteErrorKind.BadArguments, refused.Error.Kind);
        Assert.Contains("content type 'text/plain'", refused.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_per_connection_call_without_a_reservation_gets_an_object_of_its_own_released_after_the_call()
    {
        await using var node = await ServiceNode.StartAsync();
        await using var client = node.Client();
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            await foreach (var id in client.CallJsonAsync("test-limited", "Id", "[]"u8.ToArray(), Ct)) ids.Add(System.Text.Encoding.UTF8.GetString(id.Span));
        }

        Assert.Equal(2, ids.Distinct().Count());
        await Until(() => node.Services.LiveObjects("test-limited") == 0);
    }

    private static async Task Until(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not come true within the test ceiling");
            await Task.Delay(10, Ct);
        }
    }
}
