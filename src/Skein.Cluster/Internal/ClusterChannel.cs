using System.Net.Http;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Skein.Cluster.Addressing;

namespace Skein.Cluster.Internal;

/// <summary>A gRPC channel to a coordinator whose every call carries the cluster token.</summary>
internal sealed class ClusterChannel : IDisposable
{
    /// <summary>
    /// How long a client waits for the coordinator by default, to connect and for each answer: generous, because a
    /// coordinator on a busy machine may take seconds to answer while a refused connection fails at once.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly GrpcChannel _channel;

    public ClusterChannel(Uri address, string token, TimeSpan connectTimeout, int? maxMessageBytes = null)
    {
        Address = address;
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = maxMessageBytes ?? 4 * 1024 * 1024,
            MaxSendMessageSize = maxMessageBytes,
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = connectTimeout,
                // Cluster traffic goes straight to the coordinator; an HTTP proxy in the environment would only get in the way.
                UseProxy = false,
                EnableMultipleHttp2Connections = true,
                KeepAlivePingDelay = TimeSpan.FromSeconds(10),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            },
        });
        CallInvoker = _channel.Intercept(metadata =>
        {
            metadata.Add(ClusterToken.Header, token);
            return metadata;
        });
    }

    public Uri Address { get; }

    public CallInvoker CallInvoker { get; }

    /// <summary>Turns a failed call into the message a user can act on.</summary>
    public SkeinException Explain(RpcException ex) => ex.StatusCode switch
    {
        StatusCode.Unauthenticated => new SkeinException($"the coordinator at {ClusterAddress.Format(Address)} refused the cluster token (unauthenticated)", ex),
        StatusCode.Unavailable => new ClusterUnreachableException(Address, Reason(ex), ex),
        StatusCode.Unimplemented => new SkeinException($"the server at {ClusterAddress.Format(Address)} is not a Skein coordinator ({ex.Status.Detail})", ex),
        StatusCode.DeadlineExceeded or StatusCode.Cancelled => new ClusterUnreachableException(Address, "the coordinator did not answer in time", ex),
        _ => new SkeinException($"the coordinator at {ClusterAddress.Format(Address)} answered {ex.StatusCode}: {ex.Status.Detail}", ex),
    };

    private static string Reason(RpcException ex)
    {
        var inner = ex.Status.DebugException;
        while (inner?.InnerException is not null) inner = inner.InnerException;
        return inner?.Message ?? (ex.Status.Detail.Length > 0 ? ex.Status.Detail : "no answer");
    }

    public void Dispose() => _channel.Dispose();
}
