using System.Collections.Concurrent;
using System.Diagnostics;
using Skein.Cluster.Diagnostics;

namespace Skein.Cluster.Tests.Services;

/// <summary>Remote calls are traced: a client span and a server span in one trace, tagged with service, method and conversation.</summary>
public sealed class CallActivityTests
{
    [Fact]
    public async Task A_remote_call_makes_a_client_span_and_a_server_span_in_the_same_trace()
    {
        var node = $"node-trace-{Guid.NewGuid():N}";
        var spans = new ConcurrentQueue<Activity>();
        var serverEcho = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SkeinDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                // Other tests run beside this one: keep only the spans of this test's node.
                if (activity.GetTagItem("skein.node") as string != node) return;
                spans.Enqueue(activity);
                if (activity.Kind == ActivityKind.Server && activity.GetTagItem("rpc.method") as string == "Echo") serverEcho.TrySetResult(activity);
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var serviceNode = await ServiceNode.StartAsync(node);
        await using var client = serviceNode.Client();
        await using var echo = await client.GetServiceAsync<ITestEcho>(TestContext.Current.CancellationToken);

        Assert.Equal("traced", await echo.EchoAsync("traced", TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<RemoteException>(() => echo.FailAsync("boom"));

        // The node's span ends just after its reply is sent, so it may end after the call has returned here.
        var serverSpan = await serverEcho.Task.WaitAsync(TestPatience.Ceiling, TestContext.Current.CancellationToken);
        var clientSpan = Assert.Single(spans, s => s.Kind == ActivityKind.Client && s.GetTagItem("rpc.method") as string == "Echo");
        Assert.Equal("test-echo/Echo", clientSpan.DisplayName);
        Assert.Equal("test-echo", clientSpan.GetTagItem("rpc.service"));
        Assert.Equal("skein", clientSpan.GetTagItem("rpc.system"));
        Assert.Equal(clientSpan.TraceId, serverSpan.TraceId);
        Assert.Equal(clientSpan.SpanId, serverSpan.ParentSpanId);
        Assert.NotNull(clientSpan.GetTagItem("skein.conversation_id"));
        Assert.Equal(clientSpan.GetTagItem("skein.conversation_id"), serverSpan.GetTagItem("skein.conversation_id"));

        var failed = spans.Where(s => s.GetTagItem("rpc.method") as string == "Fail").ToList();
        Assert.All(failed, s => Assert.Equal(ActivityStatusCode.Error, s.Status));
        Assert.Contains(failed, s => s.Kind == ActivityKind.Client);
    }
}
