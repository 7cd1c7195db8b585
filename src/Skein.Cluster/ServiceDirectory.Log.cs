using Microsoft.Extensions.Logging;

namespace Skein.Cluster;

public sealed partial class ServiceDirectory
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "the service watch broke ({Reason}); watching again")]
    private partial void LogWatchBroken(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "the service watch resynced: {Count} services")]
    private partial void LogResynced(int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "watching again failed ({Reason}); next try in {Delay}")]
    private partial void LogReconnectFailed(string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {Name} ({NodeId}) gone: {Reason}")]
    private partial void LogNodeGone(string name, string nodeId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "a NodeGone handler failed")]
    private partial void LogHandlerFailed(Exception exception);
}
