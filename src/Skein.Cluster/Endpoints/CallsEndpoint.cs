using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services;
using Skein.Cluster.Services.Hosting;
using Skein.Cluster.Services.Transport;

namespace Skein.Cluster.Endpoints;

/// <summary>A node's gRPC call endpoint: each Connect stream is one client connection, served by a <see cref="ServerConnection"/>.</summary>
/// <remarks>
/// Bound by <see cref="BindConnect"/> rather than by the generated <c>Calls.BindService</c>: the same method, the same
/// messages, but the frames that arrive are read by <see cref="RequestFrameParser"/>, which reuses the names every
/// request repeats instead of decoding them each time.
/// </remarks>
[BindServiceMethod(typeof(CallsEndpoint), nameof(BindConnect))]
internal sealed partial class CallsEndpoint : Calls.CallsBase
{
    private static readonly Marshaller<Frame> Frames = Marshallers.Create(
        static (frame, context) =>
        {
            context.SetPayloadLength(frame.CalculateSize());
            frame.WriteTo(context.GetBufferWriter());
            context.Complete();
        },
        static context => RequestFrameParser.Parse(context.PayloadAsReadOnlySequence()));

    private static readonly Method<Frame, Frame> ConnectMethod = new(MethodType.DuplexStreaming, "skein.v1.Calls", "Connect", Frames, Frames);

    /// <summary>What gRPC server reflection lists for this endpoint: the service of calls.proto.</summary>
    public static ServiceDescriptor Descriptor => Calls.Descriptor;

    /// <summary>Called by the gRPC server with no instance: each call gets its endpoint from the container, as usual.</summary>
    /// <remarks>The second parameter's type is where the server looks for the method that <c>Connect</c> overrides.</remarks>
    public static void BindConnect(ServiceBinderBase binder, Calls.CallsBase? service) =>
        binder.AddMethod(ConnectMethod, service is null ? null! : service.Connect);

    private readonly ServiceHost host;
    private readonly ILogger<CallsEndpoint> logger;

    public CallsEndpoint(ServiceHost host, ILogger<CallsEndpoint> logger)
    {
        this.host = host;
        this.logger = logger;
    }

    public override async Task Connect(IAsyncStreamReader<Frame> requestStream, IServerStreamWriter<Frame> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var writer = new FrameWriter(host.Options.SendQueue, host.Counters.Sent);
        var connection = new ServerConnection(host, writer);
        var writing = writer.RunAsync(responseStream, ct);
        RpcException? refused = null;
        try
        {
            while (await requestStream.MoveNext(ct).ConfigureAwait(false))
            {
                // The answers of the requests served here on the reader leave together, in one frame, once it is read.
                var frame = requestStream.Current;
                host.Counters.Received.Add(frame.Envelopes.Count);
                writer.Hold();
                try
                {
                    foreach (var envelope in frame.Envelopes) connection.Receive(envelope);
                }
                finally
                {
                    writer.Release();
                }
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
        {
            // A frame over the transport limit: say so in the call's status rather than end it as if all were well.
            var limit = MessageLimits.Describe(MessageLimits.TransportLimit(host.Options.MaxMessageBytes));
            LogFrameRefused(context.Peer, limit);
            refused = new RpcException(new Status(StatusCode.ResourceExhausted, $"node {host.NodeName} refused a frame over its limit of {limit}"));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or RpcException)
        {
            // The client went away; Close below releases what it held.
            LogClientGone(context.Peer, ex.Message);
        }
        finally
        {
            connection.Close();
            writer.Complete();
        }
        try
        {
            await writing.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or RpcException)
        {
            // Replies to a client that is gone have nowhere to go.
        }
        if (refused is not null) throw refused;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "refused a frame from {Peer} over the limit of {Limit}; its call stream is ended")]
    private partial void LogFrameRefused(string peer, string limit);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "the call stream from {Peer} ended abruptly: {Reason}")]
    private partial void LogClientGone(string peer, string reason);
}
