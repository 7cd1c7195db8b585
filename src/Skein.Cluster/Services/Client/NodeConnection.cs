using Grpc.Core;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Transport;

namespace Skein.Cluster.Services.Client;

/// <summary>
/// A client's long-lived Connect stream to one node: one batching writer, one reader that routes answers to the
/// calls waiting for them. When the stream breaks every waiting call fails at once, naming the node.
/// </summary>
internal sealed class NodeConnection : CallConnection, IAsyncDisposable
{
    private readonly FrameWriter _writer;
    private readonly CancellationTokenSource _end = new();
    private readonly AsyncDuplexStreamingCall<Frame, Frame> _call;
    private readonly Task _writing;
    private readonly Task _reading;
    private readonly string _address;

    public NodeConnection(string nodeId, string nodeName, string address, CallInvoker invoker, SendQueueLimits? sendQueue = null) : base(nodeId, nodeName)
    {
        _address = address;
        _writer = new FrameWriter(sendQueue);
        _call = new Calls.CallsClient(invoker).Connect(cancellationToken: _end.Token);
        _writing = WriteAsync();
        _reading = ReadAsync();
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

    private async Task ReadAsync()
    {
        try
        {
            while (await _call.ResponseStream.MoveNext(_end.Token).ConfigureAwait(false))
            {
                _answered = true;
                // By index: a foreach over the repeated field would allocate an enumerator per frame.
                var envelopes = _call.ResponseStream.Current.Envelopes;
                for (var i = 0; i < envelopes.Count; i++) Deliver(envelopes[i]);
            }
            Fail(RemoteErrors.Local(RemoteErrorKind.NodeLost, $"node {NodeName} at {_address} closed the connection", NodeName, ""));
        }
        catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException or OperationCanceledException)
        {
            Fail(Broken(ex));
        }
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
            await Task.WhenAll(_writing, _reading).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A node that does not answer must not hold up a client that is closing.
        }
        _call.Dispose();
        _end.Dispose();
    }
}
