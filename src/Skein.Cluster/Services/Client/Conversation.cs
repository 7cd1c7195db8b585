using System.Threading.Channels;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Services.Client;

/// <summary>A call waiting for its answer on a connection.</summary>
internal abstract class Conversation
{
    /// <summary>What was sent, for the message of a failure.</summary>
    public Envelope? Request { get; set; }

    /// <summary>When the caller stops waiting, as a <see cref="System.Diagnostics.Stopwatch"/> timestamp; 0 for never.</summary>
    public long Deadline { get; private set; }

    public TimeSpan Timeout { get; private set; }

    /// <summary>True while the request waits for room in the connection's send queue.</summary>
    public bool SendPending
    {
        get => Volatile.Read(ref _sendPending);
        set => Volatile.Write(ref _sendPending, value);
    }

    private bool _sendPending;

    public void SetDeadline(TimeSpan timeout)
    {
        Timeout = timeout;
        Deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
    }

    /// <summary>Takes one arriving envelope; returns true when the conversation is over.</summary>
    public abstract bool OnEnvelope(Envelope envelope);

    public abstract void OnFailure(RemoteException error);
}

/// <summary>A call with one answer: the RESPONSE envelope.</summary>
internal sealed class UnaryConversation(bool synchronousContinuations) : Conversation
{
    // Answers read off a network stream must not run the caller's code on the reader: continue elsewhere.
    private readonly TaskCompletionSource<Envelope> _reply =
        new(synchronousContinuations ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<Envelope> Reply => _reply.Task;

    public override bool OnEnvelope(Envelope envelope)
    {
        _reply.TrySetResult(envelope);
        return true;
    }

    public override void OnFailure(RemoteException error) => _reply.TrySetException(error);
}

/// <summary>A streaming call: items, then the RESPONSE that ends it.</summary>
/// <remarks>
/// With a <see cref="Window"/>, the node sends at most that many items ahead of the consumer (when it understands
/// flow control, which its items say), and <see cref="Consumed"/> hands credit back as the consumer reads, so a
/// consumer that does not read pauses the producer and this buffer never holds more than a window.
/// </remarks>
internal sealed class StreamConversation(uint window = 0) : Conversation
{
    private readonly Channel<Envelope> _items = Channel.CreateUnbounded<Envelope>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private volatile bool _flowControlled;
    private ulong _granted;

    /// <summary>How many items the node may send ahead of the consumer; 0 for no flow control.</summary>
    public uint Window { get; } = window;

    public ChannelReader<Envelope> Items => _items.Reader;

    public override bool OnEnvelope(Envelope envelope)
    {
        if (envelope.Kind == EnvelopeKind.StreamItem && envelope.StreamWindow != 0) _flowControlled = true;
        _items.Writer.TryWrite(envelope);
        if (envelope.Kind == EnvelopeKind.StreamItem) return false;
        _items.Writer.TryComplete();
        return true;
    }

    public override void OnFailure(RemoteException error) => _items.Writer.TryComplete(error);

    /// <summary>
    /// The consumer has taken the item numbered <paramref name="sequence"/>: every half window, give the node credit for
    /// what was read (never to a node that did not say it takes credit: an older one would refuse the envelope).
    /// </summary>
    public void Consumed(CallConnection connection, ulong sequence)
    {
        if (!_flowControlled || sequence - _granted < Math.Max(1, Window / 2)) return;
        _granted = sequence;
        if (Request is { } request) connection.Credit(request.ConversationId, sequence);
    }
}
