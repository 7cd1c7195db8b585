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
internal sealed class StreamConversation : Conversation
{
    private readonly Channel<Envelope> _items = Channel.CreateUnbounded<Envelope>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public ChannelReader<Envelope> Items => _items.Reader;

    public override bool OnEnvelope(Envelope envelope)
    {
        _items.Writer.TryWrite(envelope);
        if (envelope.Kind == EnvelopeKind.StreamItem) return false;
        _items.Writer.TryComplete();
        return true;
    }

    public override void OnFailure(RemoteException error) => _items.Writer.TryComplete(error);
}
