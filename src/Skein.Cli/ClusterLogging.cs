using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Skein.Cli;

/// <summary>Log lines of the cluster daemons: one line each, on stderr, Skein's own at Information and up.</summary>
internal static class ClusterLogging
{
    public static void Configure(ILoggingBuilder logging)
    {
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter("Skein", Environment.GetEnvironmentVariable("SKEIN_DEBUG") is "1" ? LogLevel.Debug : LogLevel.Information);
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
            console.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    public static ILoggerFactory CreateFactory() => LoggerFactory.Create(Configure);
}
