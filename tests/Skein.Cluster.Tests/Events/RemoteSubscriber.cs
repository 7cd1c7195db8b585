using System.Threading.Channels;
using Skein.Cluster.Events;

namespace Skein.Cluster.Tests.Events;

/// <summary>Reads a remote subscription in the background into a queue the test takes events from, with timeouts.</summary>
internal sealed class RemoteSubscriber : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TestPatience.Ceiling;
    private readonly Channel<ClusterEvent> _received = Channel.CreateUnbounded<ClusterEvent>();
    private readonly CancellationTokenSource _stop = new();
    private Task _pump = Task.CompletedTask;

    /// <summary>Returns once the coordinator has registered the subscription, so whatever is published next reaches it.</summary>
    public static async Task<RemoteSubscriber> StartAsync(ClusterEvents events, string pattern, bool replayRecent = false, int bufferCapacity = 0)
    {
        var subscriber = new RemoteSubscriber();
        var live = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new ClusterSubscribeOptions { ReplayRecent = replayRecent, BufferCapacity = bufferCapacity, Subscribed = () => live.TrySetResult() };
        subscriber._pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var evt in events.SubscribeAsync(pattern, options, subscriber._stop.Token))
                    subscriber._received.Writer.TryWrite(evt);
                subscriber._received.Writer.TryComplete();
            }
            catch (OperationCanceledException) when (subscriber._stop.IsCancellationRequested)
            {
                subscriber._received.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                live.TrySetException(ex);
                subscriber._received.Writer.TryComplete(ex);
            }
        });
        await live.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        return subscriber;
    }

    public async Task<ClusterEvent> NextAsync() =>
        await _received.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken);

    public async Task<List<ClusterEvent>> TakeAsync(int count)
    {
        var events = new List<ClusterEvent>(count);
        while (events.Count < count) events.Add(await NextAsync());
        return events;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        _stop.Dispose();
    }
}
