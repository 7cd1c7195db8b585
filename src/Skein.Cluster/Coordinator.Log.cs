using Microsoft.Extensions.Logging;

namespace Skein.Cluster;

public sealed partial class Coordinator
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "coordinator listening on {Address}")]
    private partial void LogListening(Uri address);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "coordinator stopped")]
    private partial void LogStopped();
}
