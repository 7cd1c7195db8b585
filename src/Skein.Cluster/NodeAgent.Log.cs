using Microsoft.Extensions.Logging;

namespace Skein.Cluster;

public sealed partial class NodeAgent
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "lost the coordinator at {Coordinator} ({Reason}); reconnecting")]
    private partial void LogCoordinatorGone(string coordinator, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "registered again with the coordinator at {Coordinator} as {NodeId}")]
    private partial void LogRejoined(string coordinator, string nodeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "registering with the coordinator at {Coordinator} failed ({Reason}); trying again in {Delay}")]
    private partial void LogRegisterRetry(string coordinator, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Debug, Message = "reconnecting to {Coordinator} failed ({Reason}); next try in {Delay}")]
    private partial void LogReconnectFailed(string coordinator, string reason, TimeSpan delay);
}
