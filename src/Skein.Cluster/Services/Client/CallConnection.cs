using Skein.Cluster.Protocol;

namespace Skein.Cluster.Services.Client;

/// <summary>
/// A client's connection to one node: conversation ids, the calls waiting for answers, and failing them all at once
/// when the node is lost or the connection breaks. Subclasses move the envelopes (gRPC stream or in-process).
/// </summary>
internal abstract class CallConnection
{
    // By conversation id. A plain dictionary under its own lock: callers add, the reader removes, and neither allocates
    // a node per call as a concurrent dictionary would; its count is read without taking every lock.
    private readonly Dictionary<ulong, Conversation> _waiting = new();
    private readonly Lock _waitingLock = new();
    private long _nextConversation;
    private long _lateReplies;
    private RemoteException? _failure;
    private long _failedAt;

    protected CallConnection(string nodeId, string nodeName)
    {
        NodeId = nodeId;
        NodeName = nodeName;
    }

    public string NodeId { get; }

    public string NodeName { get; }

    /// <summary>Why this connection stopped working; null while it works.</summary>
    public RemoteException? Failure => Volatile.Read(ref _failure);

    /// <summary>How long ago <see cref="Failure"/> was set; zero while it works.</summary>
    public TimeSpan FailedFor => Interlocked.Read(ref _failedAt) is var at and not 0 ? TimeProvider.System.GetElapsedTime(at) : TimeSpan.Zero;

    /// <summary>
    /// True when this connection broke on its own (the node died, or cannot be reached), not because this client
    /// closed it: new calls should go elsewhere while the registry catches up.
    /// </summary>
    public bool IsBroken => Failure is { Kind: not RemoteErrorKind.Cancelled };

    /// <summary>Calls waiting for an answer; pooled routing sends new calls to the node with the fewest.</summary>
    public int Waiting
    {
        get
        {
            lock (_waitingLock) return _waiting.Count;
        }
    }

    /// <summary>Answers that arrived for calls nobody waits for any more (cancelled, or past their deadline).</summary>
    public long LateReplies => Interlocked.Read(ref _lateReplies);

    /// <summary>A conversation for a call with one answer, suited to how this connection delivers answers.</summary>
    public virtual UnaryConversation NewUnary() => new(synchronousContinuations: false);

    /// <summary>
    /// Sends <paramref name="request"/> as a new conversation answered through <paramref name="conversation"/>. Completes
    /// once the request is queued for sending: at once, unless the connection's send queue is full, when it waits for
    /// room (a caller faster than the network is slowed to its pace). A conversation abandoned meanwhile (its deadline)
    /// is never sent, and this completes; its failure is the conversation's.
    /// </summary>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> fired while waiting for room; nothing was sent and the conversation is forgotten.
    /// </exception>
    public ValueTask BeginAsync(Envelope request, Conversation conversation, CancellationToken cancellationToken)
    {
        var id = (ulong)Interlocked.Increment(ref _nextConversation);
        request.ConversationId = id;
        conversation.Request = request;
        lock (_waitingLock) _waiting[id] = conversation;
        if (Failure is { } failure)
        {
            if (Forget(id) is not null) conversation.OnFailure(failure);
            return default;
        }
        conversation.SendPending = true;
        var sending = TransmitAsync(request, cancellationToken);
        if (sending.IsCompletedSuccessfully)
        {
            conversation.SendPending = false;
            return default;
        }
        return WaitSentAsync(sending, id, conversation);
    }

    private async ValueTask WaitSentAsync(ValueTask sending, ulong id, Conversation conversation)
    {
        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Forget(id);
            throw;
        }
        finally
        {
            conversation.SendPending = false;
        }
    }

    /// <summary>The caller stopped waiting (cancelled or deadline): forget the call and tell the node.</summary>
    public bool Abandon(ulong conversationId, RemoteException reason)
    {
        if (Forget(conversationId) is not { } conversation) return false;
        conversation.OnFailure(reason);
        // A request still waiting for room in the send queue is taken back: the node never hears of it.
        if (conversation.SendPending && conversation.Request is { } request && Withdraw(request)) return true;
        if (Failure is null) Transmit(new Envelope { Kind = EnvelopeKind.Cancel, ConversationId = conversationId });
        return true;
    }

    /// <summary>
    /// Tells the node that the consumer of a flow-controlled stream has taken its items up to <paramref name="consumed"/>,
    /// so it may send more.
    /// </summary>
    public void Credit(ulong conversationId, ulong consumed)
    {
        if (Failure is null) Transmit(new Envelope { Kind = EnvelopeKind.Credit, ConversationId = conversationId, Sequence = consumed });
    }

    /// <summary>Sends an envelope outside any conversation (a release).</summary>
    public void Post(Envelope envelope)
    {
        if (Failure is null) Transmit(envelope);
    }

    /// <summary>Fails every waiting call with <paramref name="error"/> and every later one too.</summary>
    public void Fail(RemoteException error)
    {
        if (Interlocked.CompareExchange(ref _failure, error, null) is not null) return;
        Interlocked.Exchange(ref _failedAt, TimeProvider.System.GetTimestamp());
        Conversation[] waiting;
        lock (_waitingLock)
        {
            waiting = [.. _waiting.Values];
            _waiting.Clear();
        }
        foreach (var conversation in waiting) conversation.OnFailure(error);
        OnFailed();
    }

    /// <summary>Fails the calls whose deadline is before <paramref name="now"/> (a Stopwatch timestamp).</summary>
    public void ExpireDeadlines(long now, Func<Conversation, CallConnection, RemoteException> expired)
    {
        List<(ulong Id, Conversation Conversation)>? due = null;
        lock (_waitingLock)
        {
            foreach (var (id, conversation) in _waiting)
            {
                if (conversation.Deadline != 0 && conversation.Deadline <= now) (due ??= []).Add((id, conversation));
            }
        }
        if (due is null) return;
        foreach (var (id, conversation) in due) Abandon(id, expired(conversation, this));
    }

    private Conversation? Forget(ulong conversationId)
    {
        lock (_waitingLock) return _waiting.Remove(conversationId, out var conversation) ? conversation : null;
    }

    protected void Deliver(Envelope envelope)
    {
        // A RESPONSE ends every conversation: forgotten first, in the same look-up, and answered outside the lock (an
        // in-process answer runs the caller's continuation at once).
        Conversation? conversation;
        if (envelope.Kind == EnvelopeKind.Response) conversation = Forget(envelope.ConversationId);
        else
        {
            lock (_waitingLock) conversation = _waiting.GetValueOrDefault(envelope.ConversationId);
        }
        if (conversation is null)
        {
            // The node's own answer to a call this side gave up on (its CANCEL, or the deadline both sides keep) only
            // confirms the end: not a late reply.
            if (!IsNodesOwnEnd(envelope)) Interlocked.Increment(ref _lateReplies);
            return;
        }
        if (conversation.OnEnvelope(envelope) && envelope.Kind != EnvelopeKind.Response) Forget(envelope.ConversationId);
    }

    private static bool IsNodesOwnEnd(Envelope envelope) =>
        envelope is { Kind: EnvelopeKind.Response, Status: EnvelopeStatus.Error, Error.Kind: Protocol.RemoteErrorKind.Cancelled or Protocol.RemoteErrorKind.DeadlineExceeded };

    /// <summary>Sends without waiting (cancels, credits, releases).</summary>
    protected abstract void Transmit(Envelope envelope);

    /// <summary>Sends a request, waiting for room where the transport's send queue is bounded.</summary>
    protected virtual ValueTask TransmitAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        Transmit(envelope);
        return default;
    }

    /// <summary>Takes back a request still waiting for room; false when it is already on its way.</summary>
    protected virtual bool Withdraw(Envelope envelope) => false;

    /// <summary>Releases the transport after <see cref="Fail"/>.</summary>
    protected virtual void OnFailed()
    {
    }
}
