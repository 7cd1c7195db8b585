using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Skein.Cli;

/// <summary>
/// One short line per event — "11:04:17 node a joined as n1", warnings and errors marked — for people
/// watching a coordinator or node; the category and event id stay out of the way.
/// </summary>
internal sealed class ClusterLogFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "skein";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null) return;
        textWriter.Write(TimeProvider.System.GetLocalNow().ToString("HH:mm:ss ", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write(logEntry.LogLevel switch
        {
            LogLevel.Warning => "warning: ",
            LogLevel.Error or LogLevel.Critical => "error: ",
            LogLevel.Debug or LogLevel.Trace => "debug: ",
            _ => "",
        });
        textWriter.Write(message);
        if (logEntry.Exception is { } ex && !message.Contains(ex.Message, StringComparison.Ordinal)) textWriter.Write($" ({ex.GetType().Name}: {ex.Message})");
        textWriter.WriteLine();
    }
}
