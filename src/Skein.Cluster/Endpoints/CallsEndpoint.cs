using Grpc.Core;
using Microsoft.Extensions.Logging;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services;
using Skein.Cluster.Services.Hosting;
using Skein.Cluster.Services.Transport;

namespace Skein.Cluster.Endpoints;

/// <summary>A node's gRPC call endpoint: each Connect stream is one client connection, served by a <see cref="ServerConnection"/>.</summary>
internal sealed partial class CallsEndpoint : Calls.CallsBase
{
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
