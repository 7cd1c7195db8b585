using System.Collections.Concurrent;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Skein.Cluster.Addressing;
using Skein.Cluster.Internal;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Tests.Services;

/// <summary>
/// A node's Calls.Connect stream spoken directly, as a client in another language would: envelopes in, envelopes out,
/// and no timer, retry or bookkeeping of a .NET client's in between.
/// </summary>
internal sealed class RawCallStream : IAsyncDisposable
{
    private readonly ClusterChannel _channel;
    private readonly AsyncDuplexStreamingCall<Frame, Frame> _call;
    private readonly ConcurrentDictionary<ulong, System.Threading.Channels.Channel<Envelope>> _byConversation = new();
    private readonly Task _reading;

    private RawCallStream(ClusterChannel channel, AsyncDuplexStreamingCall<Frame, Frame> call)
    {
        _channel = channel;
        _call = call;
        _reading = Task.Run(ReadAsync);
    }

    public static RawCallStream Open(string address, string token)
    {
        var channel = new ClusterChannel(ClusterAddress.Parse(address), token, TestPatience.Ceiling);
        return new RawCallStream(channel, new Calls.CallsClient(channel.CallInvoker).Connect());
    }

    public static Envelope Request(ulong conversation, string service, string method, string jsonArguments, string contentType = "application/json") => new()
    {
        Id = conversation + 1000,
        Kind = EnvelopeKind.Request,
        ConversationId = conversation,
        Service = service,
        Method = method,
        ContentType = contentType,
        Payload = ByteString.CopyFromUtf8(jsonArguments),
    };

    public Task SendAsync(params Envelope[] envelopes)
    {
        var frame = new Frame();
        frame.Envelopes.Add(envelopes);
        return _call.RequestStream.WriteAsync(frame);
    }

    /// <summary>The next envelope of <paramref name="conversation"/>, waiting at most the test ceiling.</summary>
    public async Task<Envelope> NextAsync(ulong conversation) =>
        await Of(conversation).Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TestPatience.Ceiling, TestContext.Current.CancellationToken);

    /// <summary>Every envelope of <paramref name="conversation"/> up to and including its RESPONSE.</summary>
    public async Task<List<Envelope>> UntilResponseAsync(ulong conversation)
    {
        var all = new List<Envelope>();
        while (true)
        {
            var next = await NextAsync(conversation);
            all.Add(next);
            if (next.Kind == EnvelopeKind.Response) return all;
        }
    }

    public static string Text(Envelope envelope) => Encoding.UTF8.GetString(envelope.Payload.Span);

    private System.Threading.Channels.Channel<Envelope> Of(ulong conversation) =>
        _byConversation.GetOrAdd(conversation, _ => System.Threading.Channels.Channel.CreateUnbounded<Envelope>());

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var frame in _call.ResponseStream.ReadAllAsync())
            {
                foreach (var envelope in frame.Envelopes) Of(envelope.ConversationId).Writer.TryWrite(envelope);
            }
        }
        catch (Exception ex) when (ex is RpcException or ObjectDisposedException or OperationCanceledException)
        {
            // The stream ended under us, or the test disposed of the call: the waiting reads time out and say so.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _call.RequestStream.CompleteAsync();
        _call.Dispose();
        await _reading;
        _channel.Dispose();
    }
}
