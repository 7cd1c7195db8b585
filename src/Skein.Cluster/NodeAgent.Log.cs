using Microsoft.Extensions.Logging;

namespace Skein.Cluster;

public sealed partial class NodeAgent
{
    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "lost the coordinator at {Coordinator} ({Reason}); reconnecting")]
    private partial void LogCoordinatorGone(string coordinator, string reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "registered again with the coordinator at {Coordinator} as {NodeId}")]
    private partial void LogRejoined(string coordinator, string nodeId);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "registering with the coordinator at {Coordinator} failed ({Reason}); trying again in {Delay}")]
    private partial void LogRegisterRetry(string coordinator, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Debug, Message = "reconnecting to {Coordinator} failed ({Reason}); next try in {Delay}")]
    private partial void LogReconnectFailed(string coordinator, string reason, TimeSpan delay);
}
