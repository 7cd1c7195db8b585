using Microsoft.Extensions.Logging;

namespace Skein.Cli;

/// <summary>Log lines of the cluster daemons: one line each, on stderr, Skein's own at Information and up.</summary>
internal static class ClusterLogging
{
    public static void Configure(ILoggingBuilder logging)
    {
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter("Skein", Environment.GetEnvironmentVariable("SKEIN_DEBUG") is "1" ? LogLevel.Debug : LogLevel.Information);
        // A host that fails to start throws to its caller, which reports it; logging it too would say it twice.
        logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        logging.AddConsole(console =>
        {
            console.FormatterName = ClusterLogFormatter.FormatterName;
            console.LogToStandardErrorThreshold = LogLevel.Trace;
        });
        logging.AddConsoleFormatter<ClusterLogFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
    }

    public static ILoggerFactory CreateFactory() => LoggerFactory.Create(Configure);
}
