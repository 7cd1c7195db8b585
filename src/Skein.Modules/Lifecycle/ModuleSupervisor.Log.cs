using Microsoft.Extensions.Logging;

namespace Skein.Modules.Lifecycle;

public sealed partial class ModuleSupervisor
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "module {Module} crashed: {Exit}")]
    private partial void LogCrashed(string module, string exit);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "restarting module {Module} (restart {Restart})")]
    private partial void LogRestarting(string module, int restart);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "gave up on module {Module}: {Reason}")]
    private partial void LogGaveUp(string module, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Critical, Message = "module {Module} is declared on-failure: fail-node; asking the node to stop")]
    private partial void LogFailingNode(string module);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "stopping module {Module} failed; it is considered stopped")]
    private partial void LogStopFailed(Exception exception, string module);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "disposing a run of module {Module} failed")]
    private partial void LogDisposeFailed(Exception exception, string module);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Error, Message = "a handler of module {Module}'s supervisor notifications threw")]
    private partial void LogHandlerFailed(Exception exception, string module);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Error, Message = "the supervisor of module {Module} failed and no longer supervises it")]
    private partial void LogSupervisorFailed(Exception exception, string module);
}
