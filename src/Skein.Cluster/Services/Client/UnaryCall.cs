using System.Runtime.CompilerServices;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Services.Client;

/// <summary>
/// A call with one answer, from the moment it is sent to the task its caller holds: the conversation the connection
/// routes the answer to, the thread-pool work item that finishes the call off the connection's reader (decoding the
/// result there, never on the reader), and the builder of the caller's task. One object and one task per call — no
/// state machine, completion source or closure beside them. The registration of the caller's token has this call as
/// its state, and a cancel the caller asked for ends the task as cancelled.
/// </summary>
internal abstract class UnaryCall : Conversation, IThreadPoolWorkItem
{
    private readonly bool _inline;
    private CancellationTokenRegistration _onCancel;
    private CancellationToken _token;
    private CallConnection? _connection;
    private object? _outcome; // the answer Envelope, or the Exception that ended the call
    private int _ended;
    // 0: no registration yet; 1: registered (and _onCancel written); 2: finished — whoever comes second disposes it.
    private int _registration;

    /// <param name="inline">
    /// Finish on the thread that delivers the answer: only where that is the handler's own thread (an in-process call),
    /// never a network reader.
    /// </param>
    protected UnaryCall(bool inline) => _inline = inline;

    /// <summary>Once sent: a cancel of <paramref name="token"/> abandons the call on <paramref name="connection"/>.</summary>
    public void CancelWith(CallConnection connection, CancellationToken token)
    {
        if (!token.CanBeCanceled) return;
        _connection = connection;
        _token = token;
        var registration = token.UnsafeRegister(static state => ((UnaryCall)state!).Cancel(), this);
        _onCancel = registration;
        // The answer may have come (and the call finished) before the registration was made: then it is ours to drop,
        // or it would keep this call alive as long as the token's source lives.
        if (Interlocked.CompareExchange(ref _registration, 1, 0) != 0) registration.Dispose();
    }

    private void Cancel()
    {
        var request = Request!;
        _connection!.Abandon(request.ConversationId, RemoteErrors.Local(RemoteErrorKind.Cancelled,
            $"{ServiceCaller.Describe(request)} was cancelled", _connection.NodeName, request.Service, request.Method));
    }

    public override bool OnEnvelope(Envelope envelope)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            _outcome = envelope;
            Finish();
        }
        return true;
    }

    public override void OnFailure(RemoteException error) => Fail(error);

    /// <summary>Ends the call with <paramref name="error"/> (also a failure to send it), unless it has ended already.</summary>
    public void Fail(Exception error)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0) return;
        _outcome = error;
        Finish();
    }

    private void Finish()
    {
        if (_inline) Execute();
        else ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    public void Execute()
    {
        // Waits for a cancel callback still running elsewhere; one running on this thread is not waited for.
        if (Interlocked.Exchange(ref _registration, 2) == 1) _onCancel.Dispose();
        switch (_outcome)
        {
            case Envelope reply:
                Complete(reply);
                break;
            case RemoteException { Kind: RemoteErrorKind.Cancelled } cancelled when _token.IsCancellationRequested:
                SetException(new OperationCanceledException(cancelled.Message, cancelled, _token));
                break;
            case Exception failure:
                SetException(failure);
                break;
        }
    }

    /// <summary>Completes the caller's task from the answer.</summary>
    protected abstract void Complete(Envelope reply);

    /// <summary>Fails the caller's task (cancels it, for an <see cref="OperationCanceledException"/>).</summary>
    protected abstract void SetException(Exception exception);
}

/// <summary>A call whose caller takes the answer envelope as it is (opening and releasing proxies, traced calls).</summary>
internal sealed class EnvelopeCall : UnaryCall
{
    private AsyncTaskMethodBuilder<Envelope> _builder;

    public EnvelopeCall(bool inline) : base(inline) => _ = _builder.Task; // made before anyone can complete it

    public Task<Envelope> Task => _builder.Task;

    protected override void Complete(Envelope reply) => _builder.SetResult(reply);

    protected override void SetException(Exception exception) => _builder.SetException(exception);
}

/// <summary>A proxy's call of a method that returns nothing: an error answer fails it.</summary>
internal sealed class VoidCall : UnaryCall
{
    private AsyncTaskMethodBuilder _builder;

    public VoidCall(bool inline) : base(inline) => _ = _builder.Task;

    public Task Task => _builder.Task;

    protected override void Complete(Envelope reply)
    {
        if (reply.Status == EnvelopeStatus.Error) _builder.SetException(RemoteErrors.ToException(reply.Error));
        else _builder.SetResult();
    }

    protected override void SetException(Exception exception) => _builder.SetException(exception);
}

/// <summary>A proxy's call of a method with a result: the answer decoded as <typeparamref name="T"/>, or its error.</summary>
internal sealed class ResultCall<T> : UnaryCall
{
    private readonly Contracts.ContractMethod _method;
    private AsyncTaskMethodBuilder<T> _builder;

    public ResultCall(Contracts.ContractMethod method, bool inline) : base(inline)
    {
        _method = method;
        _ = _builder.Task;
    }

    public Task<T> Task => _builder.Task;

    protected override void Complete(Envelope reply)
    {
        T value;
        try
        {
            value = ProxyBinding.Decode<T>(_method, reply);
        }
        catch (Exception ex)
        {
            _builder.SetException(ex);
            return;
        }
        _builder.SetResult(value);
    }

    protected override void SetException(Exception exception) => _builder.SetException(exception);
}
