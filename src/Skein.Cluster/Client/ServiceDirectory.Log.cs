using Microsoft.Extensions.Logging;

namespace Skein.Cluster.Client;

public sealed partial class ServiceDirectory
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "the service watch broke ({Reason}); watching again")]
    private partial void LogWatchBroken(string reason);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "the service watch resynced: {Count} services")]
    private partial void LogResynced(int count);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Debug, Message = "watching again failed ({Reason}); next try in {Delay}")]
    private partial void LogReconnectFailed(string reason, TimeSpan delay);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Information, Message = "node {Name} ({NodeId}) gone: {Reason}")]
    private partial void LogNodeGone(string name, string nodeId, string reason);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Error, Message = "a NodeGone handler failed")]
    private partial void LogHandlerFailed(Exception exception);
}
