using System.Threading.Tasks.Sources;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Services.Client;

/// <summary>
/// A unary call's conversation that is also what its caller awaits (a <see cref="ValueTask{T}"/> source): no task, no
/// completion source and no closure per call beside it. It holds the cancellation registration of the caller's token,
/// with itself as the state, and turns a cancel the caller asked for into an <see cref="OperationCanceledException"/>.
/// Used once: one call, one reply.
/// </summary>
internal sealed class PendingReply : Conversation, IValueTaskSource<Envelope>
{
    private ManualResetValueTaskSourceCore<Envelope> _core;
    private CancellationTokenRegistration _onCancel;
    private CancellationToken _token;
    private CallConnection? _connection;
    private int _ended;

    /// <param name="runContinuationsAsynchronously">
    /// True where replies are read off a network stream: the caller's code must not run on the reader.
    /// </param>
    public PendingReply(bool runContinuationsAsynchronously)
    {
        _core.RunContinuationsAsynchronously = runContinuationsAsynchronously;
    }

    public ValueTask<Envelope> Task => new(this, _core.Version);

    /// <summary>Once sent: a cancel of <paramref name="token"/> abandons the call on <paramref name="connection"/>.</summary>
    public void CancelWith(CallConnection connection, CancellationToken token)
    {
        if (!token.CanBeCanceled) return;
        _connection = connection;
        _token = token;
        _onCancel = token.UnsafeRegister(static state => ((PendingReply)state!).Cancel(), this);
    }

    private void Cancel()
    {
        var request = Request!;
        _connection!.Abandon(request.ConversationId, RemoteErrors.Local(RemoteErrorKind.Cancelled,
            $"{ServiceCaller.Describe(request)} was cancelled", _connection.NodeName, request.Service, request.Method));
    }

    public override bool OnEnvelope(Envelope envelope)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0) _core.SetResult(envelope);
        return true;
    }

    public override void OnFailure(RemoteException error)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0) _core.SetException(error);
    }

    public Envelope GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        catch (RemoteException ex) when (ex.Kind == RemoteErrorKind.Cancelled && _token.IsCancellationRequested)
        {
            throw new OperationCanceledException(ex.Message, ex, _token);
        }
        finally
        {
            // Waits for a cancel callback running elsewhere to finish; one running on this thread is not waited for.
            _onCancel.Dispose();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
