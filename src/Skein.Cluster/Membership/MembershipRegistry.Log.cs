using Microsoft.Extensions.Logging;

namespace Skein.Cluster.Membership;

public sealed partial class MembershipRegistry
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "node {Name} joined as {NodeId} ({Cores} cores on {Hostname})")]
    private partial void LogJoined(string name, string nodeId, int cores, string hostname);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "node {Name} lost: {Reason}")]
    private partial void LogLost(string name, string reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "node {Name} left: {Reason}")]
    private partial void LogLeft(string name, string reason);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "node {Name} now hosts {Count} services")]
    private partial void LogServicesChanged(string name, int count);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "refused a node named {Name}: a node of that name is alive")]
    private partial void LogNameRefused(string name);
}
