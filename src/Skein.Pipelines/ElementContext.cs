using Skein.Engine;

namespace Skein.Pipelines;

/// <summary>What an element sees while it runs: which invocation, its directory, its log, sub-results, and where it runs.</summary>
public sealed class ElementContext
{
    private readonly IAttemptReporter _reporter;
    private readonly string _workingDirectory;
    private int _made;

    private readonly Func<TextWriter> _log;

    internal ElementContext(string pipeline, string element, int invocation, int invocations, string workingDirectory, Func<TextWriter> log,
        IAttemptReporter reporter, ShippedAttemptIdentity identity, IServiceProvider? services)
    {
        Pipeline = pipeline;
        Element = element;
        Invocation = invocation;
        Invocations = invocations;
        _workingDirectory = workingDirectory;
        _log = log;
        _reporter = reporter;
        Identity = identity;
        Services = services;
    }

    public string Pipeline { get; }

    public string Element { get; }

    /// <summary>1 for the first invocation (and the only one of an element without invocations); 0 in setup and teardown.</summary>
    public int Invocation { get; }

    /// <summary>How many invocations the element has (1 without <see cref="ElementExtensions.Invocations{T}"/>).</summary>
    public int Invocations { get; }

    /// <summary>A fresh directory for this invocation (for setup and teardown: the element's own directory).</summary>
    /// <remarks>Made (empty) when first asked for: an element that never uses one costs no directory.</remarks>
    public string WorkingDirectory
    {
        get
        {
            if (Interlocked.Exchange(ref _made, 1) == 0)
            {
                // A directory left by an earlier attempt with the same path is not fresh.
                if (Directory.Exists(_workingDirectory) && Invocation > 0) Directory.Delete(_workingDirectory, recursive: true);
                Directory.CreateDirectory(_workingDirectory);
            }
            return _workingDirectory;
        }
    }

    /// <summary>The element's log (the task's attempt log).</summary>
    /// <remarks>Opened when first used: most elements never log, and a log file per element is costly.</remarks>
    public TextWriter Log => _log();

    /// <summary>The run, task, attempt and node the element runs as.</summary>
    public ShippedAttemptIdentity Identity { get; }

    /// <summary>What the host offers (on a cluster: a connected <c>SkeinClient</c>), or null.</summary>
    public IServiceProvider? Services { get; }

    /// <summary>A sub-result of the element's task; the task's outcome becomes the worst of its own and these.</summary>
    public void Report(string name, Outcome outcome, string? message = null) => _reporter.Report(name, outcome, message);

    /// <summary>A context for another invocation of the same element, in another directory.</summary>
    internal ElementContext ForInvocation(int invocation) =>
        new(Pipeline, Element, invocation, Invocations, Path.Combine(_workingDirectory, invocation.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            _log, _reporter, Identity, Services);
}
