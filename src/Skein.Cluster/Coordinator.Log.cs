using Microsoft.Extensions.Logging;

namespace Skein.Cluster;

public sealed partial class Coordinator
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "coordinator listening on {Address}")]
    private partial void LogListening(Uri address);

    [LoggerMessage(Level = LogLevel.Information, Message = "coordinator stopped")]
    private partial void LogStopped();
}
