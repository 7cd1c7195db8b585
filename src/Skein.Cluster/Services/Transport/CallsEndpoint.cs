using Grpc.Core;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services.Hosting;

namespace Skein.Cluster.Services.Transport;

/// <summary>A node's gRPC call endpoint: each Connect stream is one client connection, served by a <see cref="ServerConnection"/>.</summary>
internal sealed class CallsEndpoint(ServiceHost host) : Calls.CallsBase
{
    public override async Task Connect(IAsyncStreamReader<Frame> requestStream, IServerStreamWriter<Frame> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var writer = new FrameWriter(host.Options.SendQueue);
        var connection = new ServerConnection(host, writer);
        var writing = writer.RunAsync(responseStream, ct);
        RpcException? refused = null;
        try
        {
            while (await requestStream.MoveNext(ct).ConfigureAwait(false))
            {
                foreach (var envelope in requestStream.Current.Envelopes) connection.Receive(envelope);
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
        {
            // A frame over the transport limit: say so in the call's status rather than end it as if all were well.
            refused = new RpcException(new Status(StatusCode.ResourceExhausted,
                $"node {host.NodeName} refused a frame over its limit of {MessageLimits.Describe(MessageLimits.TransportLimit(host.Options.MaxMessageBytes))}"));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or RpcException)
        {
            // The client went away; Close below releases what it held.
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
}
