using System.Text;
using Microsoft.Extensions.Logging;
using Skein.Cluster.Client;

namespace Skein.Testing;

/// <summary>
/// What an <see cref="ExperimentAttribute"/> method gets from <c>skein test</c>: a client connected to the deployment,
/// the configuration's parameters, a scratch directory of its own, its log, the run's identity, and
/// <see cref="Report"/> for several results.
/// </summary>
public sealed class ExperimentContext
{
    private readonly TextWriter _results;

    /// <summary>
    /// A context over <paramref name="client"/>; <c>skein test</c> makes one for each attempt. Made directly, it lets a
    /// unit test call an experiment method: <paramref name="results"/> then receives the <c>::result</c> lines.
    /// </summary>
    public ExperimentContext(ExperimentIdentity identity, SkeinClient client, IReadOnlyDictionary<string, string> parameters, string scratchDirectory,
        TextWriter log, TextWriter results, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentException.ThrowIfNullOrEmpty(scratchDirectory);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(results);
        Identity = identity;
        Client = client;
        Parameters = parameters;
        ScratchDirectory = scratchDirectory;
        Log = log;
        _results = results;
        Logger = new LogWriterLogger(log, identity.Experiment);
        CancellationToken = cancellationToken;
    }

    /// <summary>Which run, experiment and attempt this is, and on which node.</summary>
    public ExperimentIdentity Identity { get; }

    /// <summary>Connected to the deployment under test; it arrives at barriers as the experiment's id.</summary>
    public SkeinClient Client { get; }

    /// <summary>The configuration's <c>parameters</c>, by name.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>A directory of this experiment's own, kept between runs.</summary>
    public string ScratchDirectory { get; }

    /// <summary>The experiment's log: what is written here is in its log in the run's log directory, and in its report.</summary>
    public TextWriter Log { get; }

    /// <summary>A logger writing to <see cref="Log"/>, one line an entry.</summary>
    public ILogger Logger { get; }

    /// <summary>Cancelled when the run stops the experiment: its timeout passed, or the run was interrupted.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// Reports a named result, as a script's <c>::result</c> line does: the experiment's outcome is the worst of its own
    /// and its results (a skipped result makes it no worse), and the reports list each one.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty or has a line break.</exception>
    public void Report(string name, Outcome outcome, string? message = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.AsSpan().IndexOfAny('\r', '\n') >= 0) throw new ArgumentException("a result's name is one line", nameof(name));
        var line = new StringBuilder("::result name=").Append(Quote(name)).Append(" outcome=").Append(outcome.ToWireName());
        if (message is not null) line.Append(" message=").Append(Quote(message.ReplaceLineEndings(" ")));
        lock (_results) _results.WriteLine(line.ToString());
    }

    private static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>A logger that writes each entry as a line of the experiment's log.</summary>
    private sealed class LogWriterLogger(TextWriter log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            ArgumentNullException.ThrowIfNull(formatter);
            var text = $"{Level(logLevel)} {category}: {formatter(state, exception)}";
            if (exception is not null) text += Environment.NewLine + exception;
            lock (log) log.WriteLine(text);
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
    }
}

/// <summary>Which run, experiment and attempt an <see cref="ExperimentContext"/> belongs to.</summary>
/// <param name="RunId">The engine run of the <c>skein test</c> run.</param>
/// <param name="Experiment">The experiment's id, <c>SUITE::NAME</c>.</param>
/// <param name="Attempt">1 for the first attempt, 2 for its first retry, …</param>
/// <param name="Node">The node it runs on.</param>
public sealed record ExperimentIdentity(string RunId, string Experiment, int Attempt, string Node);
