using Grpc.Core;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Transport;

namespace Skein.Cluster.Services.Client;

/// <summary>
/// A client's long-lived Connect stream to one node: one batching writer, one reader that routes answers to the
/// calls waiting for them. When the stream breaks every waiting call fails at once, naming the node.
/// </summary>
/// <remarks>
/// The reader never runs a caller's code: the answers of a frame are finished on the thread pool. The last call a
/// frame answers is finished on the thread that read the frame, once the reading has been handed on to the thread
/// pool — the same number of work items, but a lone caller's answer no longer waits for a thread to wake.
/// </remarks>
internal sealed class NodeConnection : CallConnection, IAsyncDisposable, IThreadPoolWorkItem
{
    private readonly FrameWriter _writer;
    private readonly CancellationTokenSource _end = new();
    private readonly AsyncDuplexStreamingCall<Frame, Frame> _call;
    private readonly Task _writing;
    private readonly TaskCompletionSource _readingEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action _onFrame;
    private Task<bool>? _pendingRead;
    private readonly string _address;

    public NodeConnection(string nodeId, string nodeName, string address, CallInvoker invoker, SendQueueLimits? sendQueue = null) : base(nodeId, nodeName)
    {
        _address = address;
        _writer = new FrameWriter(sendQueue);
        _call = new Calls.CallsClient(invoker).Connect(cancellationToken: _end.Token);
        _writing = WriteAsync();
        _onFrame = OnFrameArrived;
        Read(arrived: null);
    }

    /// <summary>The connection's bounded send queue.</summary>
    internal FrameWriter SendQueue => _writer;

    protected override void Transmit(Envelope envelope) => _writer.Send(envelope);

    protected override ValueTask TransmitAsync(Envelope envelope, CancellationToken cancellationToken) => _writer.SendAsync(envelope, cancellationToken);

    protected override bool Withdraw(Envelope envelope) => _writer.Withdraw(envelope);

    private async Task WriteAsync()
    {
        try
        {
            await _writer.RunAsync(_call.RequestStream, _end.Token).ConfigureAwait(false);
            await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException or OperationCanceledException)
        {
            Fail(Broken(ex));
        }
    }

    // The next read, handed on to the thread pool by the thread that finishes a frame's last call.
    void IThreadPoolWorkItem.Execute() => Read(arrived: null);

    private void OnFrameArrived()
    {
        var arrived = _pendingRead!;
        _pendingRead = null;
        Read(arrived);
    }

    /// <summary>
    /// Reads frames and routes their envelopes until a read is pending (its completion reads on), the stream ends, or a
    /// frame answered a call this thread then finishes after handing the reading on.
    /// </summary>
    private void Read(Task<bool>? arrived)
    {
        UnaryCall? finishHere = null;
        try
        {
            while (finishHere is null)
            {
                var next = arrived ?? _call.ResponseStream.MoveNext(_end.Token);
                arrived = null;
                if (!next.IsCompleted)
                {
                    _pendingRead = next;
                    next.GetAwaiter().UnsafeOnCompleted(_onFrame);
                    return;
                }
                if (!next.GetAwaiter().GetResult())
                {
                    Stop(RemoteErrors.Local(RemoteErrorKind.NodeLost, $"node {NodeName} at {_address} closed the connection", NodeName, ""));
                    return;
                }
                _answered = true;
                var envelopes = _call.ResponseStream.Current.Envelopes;
                for (var i = 0; i < envelopes.Count; i++)
                {
                    if (finishHere is not null) Deliver(envelopes[i]);
                    else finishHere = DeliverUnfinished(envelopes[i]);
                }
            }
        }
        catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException or OperationCanceledException)
        {
            Stop(Broken(ex));
            finishHere?.Execute();
            return;
        }
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        finishHere.Execute();
    }

    private void Stop(RemoteException error)
    {
        Fail(error);
        _readingEnded.TrySetResult();
    }

    private RemoteException Broken(Exception ex)
    {
        if (_end.IsCancellationRequested)
            return RemoteErrors.Local(RemoteErrorKind.Cancelled, $"the connection to node {NodeName} was closed by this client", NodeName, "");
        return ex switch
        {
            RpcException { StatusCode: StatusCode.Unauthenticated } =>
                RemoteErrors.Local(RemoteErrorKind.Unavailable, $"node {NodeName} at {_address} refused the cluster token (unauthenticated)", NodeName, ""),
            RpcException { StatusCode: StatusCode.Unavailable } rpc when !_answered =>
                RemoteErrors.Local(RemoteErrorKind.Unavailable, $"cannot reach node {NodeName} at {_address}: {Innermost(rpc)}", NodeName, ""),
            _ => RemoteErrors.Local(RemoteErrorKind.NodeLost, $"the connection to node {NodeName} at {_address} broke: {Innermost(ex)}", NodeName, ""),
        };
    }

    // Set once the node has answered anything: tells "never reached" from "lost".
    private volatile bool _answered;

    private static string Innermost(Exception ex)
    {
        if (ex is RpcException rpc && rpc.Status.DebugException is { } debug) ex = debug;
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex.Message;
    }

    protected override void OnFailed()
    {
        _writer.Complete();
        _end.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        _writer.Complete();
        Fail(RemoteErrors.Local(RemoteErrorKind.Cancelled, $"the connection to node {NodeName} was closed by this client", NodeName, ""));
        try
        {
            await Task.WhenAll(_writing, _readingEnded.Task).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A node that does not answer must not hold up a client that is closing.
        }
        _call.Dispose();
        _end.Dispose();
    }
}
